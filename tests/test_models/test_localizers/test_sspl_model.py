"""SSPL model family: frozen parts and the published optimizer groups, bf16
autocast (tiny sizes). (The backbones' weight layouts and pretrained files:
tests/test_models/test_backbones/test_vgg16_vggish.py.)"""
import pytest
import torch
from mmengine.optim import build_optim_wrapper

from sspl.registry import MODELS
from sspl.testing import tiny_config, tiny_inputs

# The published optimizer (sspl_w_pcm/arguments_train.py defaults).
LR_FRAME, LR_SOUND, LR_SSL_HEAD, WEIGHT_DECAY = 2e-5, 2e-5, 5e-5, 1e-4


def build_tiny(variant='sspl_w_pcm', **model_overrides):
    cfg = tiny_config(variant, **model_overrides)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return cfg, model


# ------------------------------------------------- frozen parts, optimizer
def _loss_and_backward(model, inputs):
    model.train()
    loss = model.loss(inputs)['loss']
    loss.backward()
    return loss


def _expected_group(name: str):
    """(lr, weight decay) of the published group of an sspl parameter name."""
    if name.startswith('audio_head.'):
        return LR_SOUND, WEIGHT_DECAY
    if name.startswith(('neck.error_rates.', 'neck.prediction_rates.')):
        return LR_FRAME, 0.0
    if name.startswith('neck.'):
        return LR_FRAME, WEIGHT_DECAY
    if name.startswith('head.'):
        return LR_SSL_HEAD, WEIGHT_DECAY
    raise AssertionError(f'{name} should not be trainable')


def _optimizer_groups(model, cfg):
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    names = {id(p): n for n, p in model.named_parameters()}
    groups = {}
    for group in optim_wrapper.optimizer.param_groups:
        for param in group['params']:
            name = names[id(param)]
            assert name not in groups, f'{name} is in two parameter groups'
            groups[name] = (group['lr'], group['weight_decay'], tuple(group['betas']))
    assert type(optim_wrapper.optimizer).__name__ == 'AdamW'
    return groups


@pytest.mark.parametrize('variant', ['sspl_w_pcm', 'sspl_wo_pcm'])
def test_frozen_backbones_get_no_gradient_and_stay_out_of_the_optimizer(variant):
    cfg, model = build_tiny(variant)
    _loss_and_backward(model, tiny_inputs())
    # train() leaves the frozen backbones in eval mode
    assert not model.visual_backbone.features.training and not model.audio_backbone.training
    frozen = [n for n, p in model.named_parameters()
              if n.startswith(('visual_backbone.', 'audio_backbone.'))]
    trainable = [n for n, p in model.named_parameters() if n not in frozen]
    assert frozen and trainable
    for name, param in model.named_parameters():
        if name in frozen:
            assert not param.requires_grad and param.grad is None, name
        else:
            assert param.grad is not None and torch.isfinite(param.grad).all(), name
    expected_prefixes = ('audio_head.', 'neck.', 'head.') if variant == 'sspl_w_pcm' else (
        'audio_head.', 'head.')
    assert {n.split('.')[0] + '.' for n in trainable} == set(expected_prefixes)

    groups = _optimizer_groups(model, cfg)
    assert sorted(groups) == sorted(trainable)
    for name, (lr, weight_decay, betas) in groups.items():
        expected_lr, expected_decay = _expected_group(name)
        assert (lr, weight_decay, *betas) == pytest.approx(
            (expected_lr, expected_decay, 0.9, 0.999)), name


def test_finetuning_vgg16_adds_it_to_the_optimizer():
    cfg, model = build_tiny('sspl_w_pcm', visual_backbone=dict(frozen=False))
    _loss_and_backward(model, tiny_inputs())
    vgg16 = dict(model.visual_backbone.named_parameters(prefix='visual_backbone'))
    assert vgg16 and all(p.requires_grad for p in vgg16.values())
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in vgg16.values())
    assert all(p.grad is None for p in model.audio_backbone.parameters())
    groups = _optimizer_groups(model, cfg)
    assert set(vgg16) <= set(groups)
    for name in vgg16:  # the config's base learning rate and weight decay
        assert groups[name][:2] == pytest.approx((cfg.optim_wrapper.optimizer.lr, WEIGHT_DECAY))
    assert not any(n.startswith('audio_backbone.') for n in groups)


# ------------------------------------------------------------------ autocast
@pytest.mark.parametrize('variant', ['sspl_w_pcm', 'sspl_wo_pcm'])
def test_bf16_autocast_on_cpu_gives_finite_loss_and_maps(variant):
    _, model = build_tiny(variant)
    inputs = tiny_inputs()
    model.train()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        loss = model.loss(inputs)['loss']
    assert torch.isfinite(loss)
    loss.backward()
    for name, param in model.named_parameters():
        if param.requires_grad:
            assert param.grad is not None and torch.isfinite(param.grad).all(), name
    model.eval()
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        maps = model.predict_maps(inputs['frames'][:, 0], inputs['log_mel'])
    assert maps.shape == (2, 14, 14) and torch.isfinite(maps).all()
