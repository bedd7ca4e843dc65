"""The fast paths of SSPL that claim exactness give the numbers of the slow
paths (the published computation, :class:`PublishedSSPL`), within the parity
tolerance (``../shared/parity``: 1e-4 of each array's largest magnitude). The
slow paths themselves are pinned to the published numbers by
test_sspl_parity.py; the channels-last backbones alone by
tests/test_models/test_backbones/test_channels_last.py.

The batched audio branch is checked at the published sizes (where oneDNN
picks its real kernels); the rest on the small synthetic model.
"""
import copy

import pytest
import torch

from sspl.registry import MODELS
from sspl.testing import assert_parity_close, build_model, varied_inputs

pytestmark = pytest.mark.usefixtures('one_thread')  # (tests/conftest.py)


def _published_twin(model, model_cfg):
    """The benchmark baseline (:class:`PublishedSSPL`, the published
    computation) of ``model_cfg``, with the weights of ``model``."""
    from sspl.models.localizers import PublishedSSPL
    twin = MODELS.build(dict(copy.deepcopy(model_cfg), type='PublishedSSPL'))
    twin.load_state_dict(model.state_dict())
    assert isinstance(twin, PublishedSSPL)
    return twin.train(model.training)


def test_batched_audio_equals_per_sample_published_size(tiny_model_cfg):
    """The audio branch on all B x T examples at once == the published loop
    over samples (published VGGish and audio head)."""
    cfg = dict(tiny_model_cfg, audio_backbone=dict(type='VGGish', pretrained=None),
               audio_head=dict(type='AudioHead', in_dim=128, hidden_dim=512, out_dim=64))
    model = build_model(cfg).eval()
    published = _published_twin(model, cfg)
    log_mel = torch.randn(2, 3, 1, 96, 64)
    calls = []  # batch size of every VGGish call
    for vggish in (published.audio_backbone, model.audio_backbone):
        vggish.register_forward_hook(lambda module, args, output: calls.append(args[0].shape[0]))
    slow_embedding, slow_feature = published.extract_audio_feat(log_mel)
    assert calls == [3, 3]  # the published loop: one call per sample
    fast_embedding, fast_feature = model.extract_audio_feat(log_mel)
    assert calls[2:] == [6]  # one call on all B x T examples
    assert_parity_close(fast_embedding, slow_embedding)
    assert_parity_close(fast_feature, slow_feature)


def _frames(batch=4, size=112):
    """Views and log-mel of :func:`sspl.testing.configs.varied_inputs` (samples
    that differ in scale and offset: a well-conditioned training step)."""
    inputs = varied_inputs(batch, size)
    return inputs['frames'], inputs['log_mel']


def test_single_view_predict_equals_view1_of_published_evaluation(tiny_model_cfg):
    model = build_model(tiny_model_cfg).eval()
    published = _published_twin(model, tiny_model_cfg)
    frames, log_mel = _frames()
    frames_seen = []  # frames per visual backbone call
    for vgg16 in (published.visual_backbone, model.visual_backbone):
        vgg16.register_forward_hook(
            lambda module, args, output: frames_seen.append(args[0].shape[0]))
    with torch.no_grad():
        both = [s.pred_sim_map for s in published.predict(dict(frames=frames, log_mel=log_mel))]
        assert sum(frames_seen) == 2 * len(frames)  # both views
        one = [s.pred_sim_map for s in model.predict(dict(frames=frames, log_mel=log_mel))]
        assert sum(frames_seen) == 3 * len(frames)  # then the test view only
        # The one-view path only ever needs view 1.
        first = [s.pred_sim_map for s in model.predict(dict(frames=frames[:, :1],
                                                            log_mel=log_mel))]
        # The published evaluation of a one-view sample gives that view twice.
        published_first = [s.pred_sim_map for s in published.predict(
            dict(frames=frames[:, :1], log_mel=log_mel))]
    for a, b, c, d in zip(one, both, first, published_first):
        assert_parity_close(a, b)
        assert torch.equal(a, c)
        assert_parity_close(a, d)


def _grads(model, frames, log_mel):
    model.train()
    model.zero_grad()
    loss = model.loss(dict(frames=frames, log_mel=log_mel))['loss']
    loss.backward()
    return loss, {name: param.grad.clone() for name, param in model.named_parameters()
                  if param.grad is not None}


@pytest.mark.parametrize('part', ['visual_backbone', 'audio_backbone'])
def test_channels_last_training_step_same_gradients(tiny_model_cfg, part):
    """A training step with one backbone channels-last gives the gradients of
    the NCHW model.

    float32 (the kernels users run): the loss within 1e-5 and the L2 norm of
    every gradient within 1e-3 relative (the parity README's gradient rule).
    Element-wise, float32 gradients are no judge: oneDNN's channels-last
    kernels sum in another order, and the head's batch norms amplify that to
    6.0e-3 of a tensor's max on an AVX-512 / AMX CPU (2.5e-3 on another CI
    CPU; the oneDNN on / off spread of the NCHW model itself is 2.4e-4), so
    every gradient value is checked in float64 instead, where the same step
    agrees to 2.0e-13 (measured) and a layout bug still moves values by O(1).
    Measured float32 norm error: 2.0e-4 (visual), 1.2e-5 (audio), AMX CPU.
    """
    cfg = copy.deepcopy(tiny_model_cfg)
    for backbone in ('visual_backbone', 'audio_backbone'):
        cfg[backbone]['channels_last'] = False
    reference = build_model(cfg)
    cfg[part]['channels_last'] = True
    fast = MODELS.build(cfg)
    fast.load_state_dict(reference.state_dict())
    assert getattr(fast, part).features[0].weight.is_contiguous(
        memory_format=torch.channels_last)
    frames, log_mel = _frames()
    loss_ref, grads_ref = _grads(reference, frames, log_mel)
    loss_fast, grads_fast = _grads(fast, frames, log_mel)
    assert abs(loss_fast.item() - loss_ref.item()) <= 1e-5
    assert grads_fast.keys() == grads_ref.keys() and grads_ref
    for name in grads_ref:
        norm_ref, norm_fast = grads_ref[name].norm().item(), grads_fast[name].norm().item()
        assert abs(norm_fast - norm_ref) <= 1e-3 * norm_ref, name

    reference.double()
    fast.double()
    assert getattr(fast, part).features[0].weight.is_contiguous(
        memory_format=torch.channels_last)
    _, grads_ref = _grads(reference, frames.double(), log_mel.double())
    _, grads_fast = _grads(fast, frames.double(), log_mel.double())
    assert grads_fast.keys() == grads_ref.keys()
    for name in grads_ref:
        assert grads_fast[name].dtype == torch.float64
        assert_parity_close(grads_fast[name], grads_ref[name], rtol=1e-10)


def test_frozen_backbones_keep_no_activations(tiny_model_cfg):
    """Frozen backbones run under no_grad: no graph even for an input that
    requires grad, so none of their activations are kept for backward."""
    model = build_model(tiny_model_cfg)
    frames, log_mel = _frames(batch=2)
    frames = frames[:, 0].requires_grad_()
    log_mel = log_mel.flatten(0, 1).requires_grad_()
    visual, audio = model.visual_backbone(frames), model.audio_backbone(log_mel)
    assert visual.grad_fn is None and not visual.requires_grad
    assert audio.grad_fn is None and not audio.requires_grad
    # Unfrozen, the same modules do build a graph (the test can fail).
    model.visual_backbone.frozen = False
    assert model.visual_backbone(frames).grad_fn is not None
