"""SSPL model family: weight layouts, pretrained backbones through the config,
frozen parts and the published optimizer groups, bf16 autocast (tiny sizes)."""
import json
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.optim import build_optim_wrapper

from sspl.models import VGG16, VGGish
from sspl.registry import MODELS
from sspl.utils import CheckpointError
from sspl.testing.configs import tiny_config, tiny_inputs

# The published optimizer (sspl_w_pcm/arguments_train.py defaults).
LR_FRAME, LR_SOUND, LR_SSL_HEAD, WEIGHT_DECAY = 2e-5, 2e-5, 5e-5, 1e-4


def build_tiny(variant='sspl_w_pcm', **model_overrides):
    cfg = tiny_config(variant, **model_overrides)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return cfg, model


# ------------------------------------------------------------ weight layouts
def test_vgg16_has_torchvision_layout_up_to_conv5_3_without_relu():
    """Keys and shapes of ``torchvision.models.vgg16().features[:29]``; the
    map is the conv5_3 output itself (torchvision's ReLU is ``features[29]``)."""
    import torchvision
    with torch.device('meta'):
        ours = VGG16()
        reference = torchvision.models.vgg16(weights=None)
    expected = {f'features.{k}': tuple(v.shape)
                for k, v in reference.features[:29].state_dict().items()}
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == expected
    assert isinstance(ours.features[-1], nn.Conv2d) and len(ours.features) == 29
    assert isinstance(reference.features[29], nn.ReLU)


def test_vgg16_map_keeps_negative_values():
    """No ReLU after conv5_3: the published numbers need the raw conv output."""
    torch.manual_seed(0)
    model = VGG16(num_stages=2, width_mult=0.125)
    model.init_weights()
    feature_map = model(torch.randn(2, 3, 32, 32))
    assert feature_map.shape == (2, 16, 16, 16)
    assert (feature_map < 0).any()


def test_vggish_and_audio_head_have_published_layout(parity_dir):
    """``sound_best.pth`` = VGGish (the ``vggish-10086976.pth`` layout) + ``fc.*``."""
    with open(osp.join(parity_dir, 'sspl_w_pcm_weights_spec.json')) as file:
        sound = json.load(file)['sound_best.pth']
    published = {e['key'][len('module.'):]: tuple(e['shape']) for e in sound}
    with torch.device('meta'):
        vggish = VGGish()
        head = MODELS.build(dict(type='AudioHead'))
    vggish_keys = {k: tuple(v.shape) for k, v in vggish.state_dict().items()}
    head_keys = {k: tuple(v.shape) for k, v in head.state_dict().items()}
    assert vggish_keys == {k: v for k, v in published.items() if not k.startswith('fc.')}
    assert head_keys == {k: v for k, v in published.items() if k.startswith('fc.')}


# ------------------------------------------------------ pretrained backbones
def _tiny_backbone_files(tmp_path, cfg):
    """A VGGish file in the vggish-10086976.pth layout and a torchvision-layout
    VGG16 state dict (with classifier keys), both for the tiny sizes."""
    torch.manual_seed(1)
    vggish = MODELS.build(dict(cfg.model.audio_backbone, pretrained=None))
    vggish.init_weights()
    vggish_path = str(tmp_path / 'vggish-10086976.pth')
    torch.save(vggish.state_dict(), vggish_path)
    vgg16 = MODELS.build(dict(cfg.model.visual_backbone, pretrained=None))
    vgg16.init_weights()
    torchvision_layout = dict(vgg16.state_dict())
    torchvision_layout.update({'classifier.0.weight': torch.randn(8, 4),
                               'classifier.0.bias': torch.randn(8)})
    vgg16_path = str(tmp_path / 'vgg16-torchvision.pth')
    torch.save(torchvision_layout, vgg16_path)
    return vggish_path, vggish.state_dict(), vgg16_path, vgg16.state_dict()


def test_pretrained_backbones_load_through_config(tmp_path):
    cfg = tiny_config()
    vggish_path, vggish_state, vgg16_path, vgg16_state = _tiny_backbone_files(tmp_path, cfg)
    cfg.model.audio_backbone.pretrained = vggish_path
    cfg.model.visual_backbone.pretrained = vgg16_path
    model = MODELS.build(cfg.model)
    model.init_weights()
    for key, value in vggish_state.items():
        assert torch.equal(model.audio_backbone.state_dict()[key], value), key
    for key, value in vgg16_state.items():
        assert torch.equal(model.visual_backbone.state_dict()[key], value), key
    assert not any(p.requires_grad for p in model.audio_backbone.parameters())
    assert not any(p.requires_grad for p in model.visual_backbone.parameters())


def test_wrong_pretrained_files_name_their_keys(tmp_path):
    cfg = tiny_config()
    vggish_path, _, vgg16_path, vgg16_state = _tiny_backbone_files(tmp_path, cfg)

    # VGGish pointed at the VGG16 file: its embeddings are missing
    vggish = MODELS.build(dict(cfg.model.audio_backbone, pretrained=vgg16_path))
    with pytest.raises(CheckpointError) as error:
        vggish.init_weights()
    assert vgg16_path in str(error.value)
    assert 'missing keys' in str(error.value) and 'embeddings.0.weight' in str(error.value)

    # VGG16 file without one conv
    truncated = {k: v for k, v in vgg16_state.items() if k != 'features.2.weight'}
    truncated_path = str(tmp_path / 'truncated.pth')
    torch.save(truncated, truncated_path)
    vgg16 = MODELS.build(dict(cfg.model.visual_backbone, pretrained=truncated_path))
    with pytest.raises(CheckpointError, match=r'missing keys \[features\.2\.weight\]'):
        vgg16.init_weights()

    # a published frame_best.pth given as VGG16 weights (it needs the converter)
    published_path = str(tmp_path / 'frame_best.pth')
    torch.save({'feat_extractor.' + k[len('features.'):]: v for k, v in vgg16_state.items()},
               published_path)
    vgg16 = MODELS.build(dict(cfg.model.visual_backbone, pretrained=published_path))
    with pytest.raises(CheckpointError) as error:
        vgg16.init_weights()
    assert published_path in str(error.value)
    assert 'unexpected keys [feat_extractor.0.bias' in str(error.value)


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
