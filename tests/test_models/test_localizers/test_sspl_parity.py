"""Numerical parity of SSPL w/ and w/o PCM with the published implementation.

For each variant: the four (three) published-format files are materialised
from ``../shared/parity/<variant>_weights_spec.json``, converted with
``tools/model_converters/sspl_to_mmengine.py`` (its ``main``), and loaded by
:func:`sspl.apis.init_localizer` into the model of ``configs/<variant>.py``.
Then, on ``inputs.npz``:

- eval mode in float32 (what users run, default kernels): every ``eval_*``
  array of ``<variant>_expected.npz`` and ``predict_maps`` (relative 1e-4 of
  each array's max magnitude; the loss within 1e-5 absolute);
- the same model in float64 (``model.double()``, float64 inputs, the real
  VGG16, default kernels and thread count) against
  ``<variant>_expected_float64.npz``, the published computation in float64:
  every eval array, and in train mode (one forward and backward) the loss,
  the gradient norms and first 512 gradient values of every trainable tensor
  (named by their published keys through the converter's key mapping) and
  every BN running buffer, all within 1e-10 of each array's max magnitude.

Why train mode is held in float64: with batch statistics over 4 samples the
float32 gradients are ill-conditioned, and the published code itself does
not reproduce its float32 gradients to 1e-3 across CPU kernels (parity
README: oneDNN on / 2 threads against oneDNN off / 1 thread moves gradient
values by up to 7.2e-3 (w/ PCM) and 2.1e-2 (w/o PCM) of their max). In
float64 the published computation agrees with itself to 8e-14 across
kernels, so 1e-10 holds on any CPU (AVX2, AVX-512, AMX) and still catches any
change of the computation. Measured on an AVX-512 / AMX CPU with oneDNN on /
2 threads and off / 1 thread (both variants): worst float64 error 4.2e-15
(eval arrays), 1.3e-12 (loss), 1.8e-12 (gradient norms), 4.1e-12 (gradient
values), 1.0e-13 (BN buffers); float32 eval arrays 5.3e-6.
"""
import contextlib
import json
import os.path as osp
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.config import Config

from sspl.apis import init_localizer
from sspl.testing import max_relative_error
from sspl.testing.sspl_parity import (FILE_KINDS, VARIANTS, converter_argv, load_converter,
                                      load_spec)

# float32, eval mode (parity README)
EVAL_TOLERANCE = 1e-4       # relative to the array's max magnitude
LOSS_TOLERANCE = 1e-5       # absolute
# float64, eval and train mode (parity README: relative 1e-10 of each array's
# max magnitude for eval arrays, losses, gradient norms and values, buffers)
FLOAT64_TOLERANCE = 1e-10

#: torch's intra-op thread count before any fixture changes it (the model
#: tests' conftest runs them on one thread; the float64 check runs on the
#: default count, as a user's process would).
DEFAULT_NUM_THREADS = torch.get_num_threads()


@contextlib.contextmanager
def default_torch_threads():
    num_threads = torch.get_num_threads()
    torch.set_num_threads(DEFAULT_NUM_THREADS)
    try:
        yield
    finally:
        torch.set_num_threads(num_threads)

# The published optimizer (sspl_w_pcm/main.py create_optimizer and the defaults
# of arguments_train.py): group of each published key -> (lr, weight decay).
PUBLISHED_LR_FRAME, PUBLISHED_LR_SOUND, PUBLISHED_LR_SSL_HEAD = 2e-5, 2e-5, 5e-5
PUBLISHED_WEIGHT_DECAY = 1e-4


def published_group(published_key: str):
    """(lr, weight_decay) of the published group a published key belongs to."""
    name = published_key[len('module.'):]
    if name.startswith('fc.'):
        return PUBLISHED_LR_SOUND, PUBLISHED_WEIGHT_DECAY
    if name.startswith(('a0.', 'b0.')):
        return PUBLISHED_LR_FRAME, 0.0
    if name.startswith(('PredProcess.', 'ErrorProcess.', 'BNPred', 'BNError')):
        return PUBLISHED_LR_FRAME, PUBLISHED_WEIGHT_DECAY
    if name.startswith(('projector.', 'predictor.')):
        return PUBLISHED_LR_SSL_HEAD, PUBLISHED_WEIGHT_DECAY
    raise AssertionError(f'{published_key} is in no published optimizer group')


def _eval_arrays(out: dict, with_neck: bool) -> dict:
    arrays = dict(eval_audio_embedding_128=out['audio_embedding'],
                  eval_audio_feat_512=out['audio_feature'], eval_loss=out['loss'],
                  eval_p1=out['p1'], eval_p2=out['p2'], eval_z1=out['z1'], eval_z2=out['z2'])
    for index in (1, 2):
        view = out[f'view{index}']
        arrays[f'eval_vis_feat_view{index}'] = view['backbone_map']
        arrays[f'eval_sim_map_view{index}'] = view['sim_map']
        arrays[f'eval_att_map_view{index}'] = view['att_map']
        arrays[f'eval_fav_view{index}'] = view['fav']
        if with_neck:
            arrays[f'eval_pcm_out_view{index}'] = view['visual_map']
    return {key: value.detach().numpy() for key, value in arrays.items()}


@pytest.fixture(scope='module', params=VARIANTS)
def parity(request, parity_dir, published_files, repo_root, tmp_path_factory):
    """Everything the tests compare, computed once per variant (the published
    sizes cost tens of seconds on a CPU)."""
    variant = request.param
    out_dir = str(tmp_path_factory.mktemp(f'{variant}_converted'))
    return compute_parity(variant, parity_dir, published_files(variant), repo_root, out_dir)


def compute_parity(variant: str, parity_dir: str, published_paths: dict, repo_root: str,
                   out_dir: str) -> SimpleNamespace:
    """Convert the published files with the tool, load them through the config
    and compute everything the tests compare (see the module docstring)."""
    from mmengine.optim import build_optim_wrapper

    converter = load_converter()
    checkpoint = osp.join(out_dir, f'{variant}.pth')
    assert converter.main(converter_argv(published_paths, checkpoint)) == 0

    config = Config.fromfile(osp.join(repo_root, 'configs', f'{variant}.py'))
    model = init_localizer(config, checkpoint=checkpoint, device='cpu')

    # published key <-> sspl key, through the converter's mapping
    spec = load_spec(parity_dir, variant)
    sspl_key = {entry['key']: converter.convert_key(FILE_KINDS[file_name], entry['key'])
                for file_name, entries in spec.items() for entry in entries}
    published_key = {value: key for key, value in sspl_key.items()}
    assert len(published_key) == len(sspl_key), 'two published keys map to one sspl key'

    inputs = np.load(osp.join(parity_dir, 'inputs.npz'))
    expected = dict(np.load(osp.join(parity_dir, f'{variant}_expected.npz')))
    frames = torch.stack([torch.from_numpy(inputs['frame_view1']),
                          torch.from_numpy(inputs['frame_view2'])], dim=1)  # (4, 2, 3, 224, 224)
    log_mel = torch.from_numpy(inputs['spect'])                              # (4, 3, 1, 96, 64)

    # Eval mode, default kernels (what users run).
    assert not model.training
    with torch.no_grad():
        eval_arrays = _eval_arrays(model.forward_views(frames, log_mel), model.with_neck)
        predicted_map = model.predict_maps(frames[:, 0], log_mel).numpy()

    trainable = sorted(published_key[name] for name, param in model.named_parameters()
                       if param.requires_grad)
    optim_wrapper = build_optim_wrapper(model, config.optim_wrapper)
    optimizer_groups = {}
    names = {id(param): name for name, param in model.named_parameters()}
    for group in optim_wrapper.optimizer.param_groups:
        for param in group['params']:
            optimizer_groups[published_key[names[id(param)]]] = (
                group['lr'], group['weight_decay'], tuple(group['betas']))
    optimizer_type = type(optim_wrapper.optimizer).__name__

    # Float64: the same model and inputs against the published float64
    # computation (see the module docstring), default kernels and threads.
    expected64 = dict(np.load(osp.join(parity_dir, f'{variant}_expected_float64.npz')))
    model.double()
    frames64, log_mel64 = frames.double(), log_mel.double()
    with default_torch_threads(), torch.no_grad():
        eval_arrays64 = _eval_arrays(model.forward_views(frames64, log_mel64), model.with_neck)
    model.train()
    frozen_audio_in_train_mode = model.audio_backbone.training
    with default_torch_threads():
        train_loss = model.loss(dict(frames=frames64, log_mel=log_mel64))['loss']
        train_loss.backward()
    params = dict(model.named_parameters())
    buffers = dict(model.named_buffers())
    result = SimpleNamespace(
        variant=variant, expected=expected, eval_arrays=eval_arrays,
        expected64=expected64, eval_arrays64=eval_arrays64,
        predicted_map=predicted_map, trainable=trainable,
        optimizer_groups=optimizer_groups, optimizer_type=optimizer_type,
        train_loss=float(train_loss.detach()),
        grads={key: params[sspl_key[key]].grad for key in sspl_key if sspl_key[key] in params
               and params[sspl_key[key]].grad is not None},
        buffers={key: buffers[sspl_key[key]] for key in sspl_key if sspl_key[key] in buffers},
        audio_backbone_grads=[name for name, param in model.audio_backbone.named_parameters()
                              if param.grad is not None],
        frozen_audio_in_train_mode=frozen_audio_in_train_mode,
        initial_batch_counts={entry['key']: int(entry['value'])
                              for entries in spec.values() for entry in entries
                              if entry['key'].endswith('num_batches_tracked')})
    with open(osp.join(parity_dir, 'summary.json')) as file:
        result.summary = json.load(file)[variant]
    del model, optim_wrapper, params, buffers
    return result


def _split(key: str):
    family, file_name, published = key.split('::')
    return family, file_name, published


def test_eval_arrays_match_published(parity):
    expected = {k: v for k, v in parity.expected.items() if k.startswith('eval_')}
    assert set(parity.eval_arrays) == set(expected), 'eval arrays computed != published'
    errors = {key: max_relative_error(parity.eval_arrays[key], expected[key])
              for key in expected if key != 'eval_loss'}
    bad = {key: err for key, err in errors.items() if not err <= EVAL_TOLERANCE}
    assert not bad, f'{parity.variant}: eval arrays off by more than {EVAL_TOLERANCE}: {bad}'
    loss_error = abs(float(parity.eval_arrays['eval_loss']) - float(expected['eval_loss']))
    assert loss_error <= LOSS_TOLERANCE
    assert abs(float(expected['eval_loss']) - parity.summary['eval_loss']) < 1e-7


def test_predict_maps_matches_published_sim_map(parity):
    expected = parity.expected['eval_sim_map_view1']
    assert parity.predicted_map.shape == (4, 14, 14)
    assert max_relative_error(parity.predicted_map, expected) <= EVAL_TOLERANCE


def test_trainable_tensors_are_the_published_ones(parity):
    assert parity.trainable == sorted(parity.summary['trainable'])


def test_optimizer_holds_the_published_groups(parity):
    assert parity.optimizer_type == 'AdamW'
    # exactly the trainable tensors: the frozen VGG16 and VGGish are left out
    assert sorted(parity.optimizer_groups) == parity.trainable
    for key, (lr, weight_decay, betas) in parity.optimizer_groups.items():
        expected_lr, expected_decay = published_group(key)
        assert (lr, weight_decay, *betas) == pytest.approx(
            (expected_lr, expected_decay, 0.9, 0.999)), key


def test_eval_arrays_match_published_float64(parity):
    expected = {k: v for k, v in parity.expected64.items() if k.startswith('eval_')}
    assert set(parity.eval_arrays64) == set(expected), 'eval arrays computed != published'
    assert all(value.dtype == np.float64 for value in parity.eval_arrays64.values())
    errors = {key: max_relative_error(parity.eval_arrays64[key], expected[key])
              for key in expected}
    bad = {key: err for key, err in errors.items() if not err <= FLOAT64_TOLERANCE}
    assert not bad, f'{parity.variant}: float64 eval arrays off by more than ' \
                    f'{FLOAT64_TOLERANCE}: {bad}'


def test_train_loss_matches_published(parity):
    expected = float(parity.expected64['train_loss'])
    assert abs(float(parity.expected['train_loss']) - parity.summary['train_loss']) < 1e-7
    assert abs(parity.train_loss - expected) <= FLOAT64_TOLERANCE * abs(expected)


def test_train_gradients_match_published(parity):
    norms = {_split(k)[2]: float(v) for k, v in parity.expected64.items()
             if k.startswith('train_grad_norm::')}
    heads = {_split(k)[2]: v for k, v in parity.expected64.items()
             if k.startswith('train_grad_head::')}
    # every trainable tensor has a published gradient, and only those get one
    assert sorted(norms) == sorted(heads) == parity.trainable
    assert sorted(parity.grads) == parity.trainable
    assert all(grad.dtype == torch.float64 for grad in parity.grads.values())
    norm_errors = {key: abs(float(parity.grads[key].norm()) - value) / value
                   for key, value in norms.items()}
    head_errors = {key: max_relative_error(parity.grads[key].flatten()[:512].numpy(), value)
                   for key, value in heads.items()}
    bad = {k: e for k, e in norm_errors.items() if not e <= FLOAT64_TOLERANCE}
    assert not bad, f'{parity.variant}: gradient norms off: {bad}'
    bad = {k: e for k, e in head_errors.items() if not e <= FLOAT64_TOLERANCE}
    assert not bad, f'{parity.variant}: gradient values off: {bad}'


def test_train_bn_buffers_match_published(parity):
    expected = {_split(k)[2]: v for k, v in parity.expected64.items()
                if k.startswith('train_buffer::')}
    ours = {k: v for k, v in parity.buffers.items() if k.endswith(('running_mean', 'running_var'))}
    assert sorted(expected) == sorted(ours), 'BN buffers of the model != published buffers'
    errors = {key: max_relative_error(ours[key].numpy(), value) for key, value in expected.items()}
    bad = {k: e for k, e in errors.items() if not e <= FLOAT64_TOLERANCE}
    assert not bad, f'{parity.variant}: BN running buffers off: {bad}'
    # one train-mode forward: every BN layer saw two batches (one per view)
    counts = {k: int(v) for k, v in parity.buffers.items() if k.endswith('num_batches_tracked')}
    assert sorted(counts) == sorted(parity.initial_batch_counts)
    assert all(counts[k] == parity.initial_batch_counts[k] + 2 for k in counts), counts


def test_frozen_audio_backbone_gets_no_gradient(parity):
    assert parity.audio_backbone_grads == []
    assert parity.frozen_audio_in_train_mode is False
