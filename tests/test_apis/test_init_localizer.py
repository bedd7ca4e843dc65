"""``sspl.apis.init_localizer``: config -> model with weights, eval mode; a
checkpoint that carries a pickled callable is refused."""
import os.path as osp

import pytest
import torch

from sspl.apis import init_localizer
from sspl.models import VGG16
from sspl.registry import MODELS
from sspl.testing import MALICIOUS_REFUSED as REFUSED, REPO_ROOT, tiny_config, tiny_inputs
from sspl.utils import CheckpointError

pytestmark = pytest.mark.usefixtures('one_thread')  # (tests/conftest.py)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to fetch the ImageNet VGG16 weights fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError('init_localizer tried to download pretrained weights')
    monkeypatch.setattr(VGG16, '_download_imagenet_weights', staticmethod(refuse))
    monkeypatch.setattr(torch.hub, 'load_state_dict_from_url', refuse)


def _trained_state(cfg):
    """State dict of a model of ``cfg`` whose BN buffers moved away from their
    defaults, as a trained checkpoint's would."""
    torch.manual_seed(3)
    model = MODELS.build(dict(cfg.model, visual_backbone=dict(cfg.model.visual_backbone,
                                                              pretrained=None),
                              audio_backbone=dict(cfg.model.audio_backbone, pretrained=None)))
    model.init_weights()
    model.train()
    with torch.no_grad():
        model.loss(tiny_inputs())
    return {k: v.clone() for k, v in model.state_dict().items()}


def _config_with_unavailable_pretrained(tmp_path):
    cfg = tiny_config('sspl_w_pcm')
    cfg.model.audio_backbone.pretrained = str(tmp_path / 'missing' / 'vggish-10086976.pth')
    cfg.model.visual_backbone.pretrained = 'torchvision'
    return cfg


def _assert_loaded(model, state):
    assert not model.training
    assert not model.neck.training and not model.head.training
    own = model.state_dict()
    assert sorted(own) == sorted(state)
    for key, value in state.items():
        assert torch.equal(own[key], value), key
    assert all(p.device.type == 'cpu' for p in model.parameters())


def test_checkpoint_loads_without_pretrained_backbone_files(tmp_path, no_network):
    cfg = _config_with_unavailable_pretrained(tmp_path)
    state = _trained_state(cfg)
    checkpoint = str(tmp_path / 'sspl.pth')
    torch.save({'state_dict': state, 'meta': {'epoch': 3}}, checkpoint)

    model = init_localizer(cfg, checkpoint=checkpoint, device='cpu')
    _assert_loaded(model, state)
    assert model.cfg.model.audio_backbone.pretrained == cfg.model.audio_backbone.pretrained

    # the same from a config file
    config_path = str(tmp_path / 'tiny_sspl_w_pcm.py')
    cfg.dump(config_path)
    _assert_loaded(init_localizer(config_path, checkpoint=checkpoint), state)

    # and the map it predicts is the loaded model's
    inputs = tiny_inputs(seed=5)
    with torch.no_grad():
        maps = model.predict_maps(inputs['frames'][:, 0], inputs['log_mel'])
    assert maps.shape == (2, 14, 14) and torch.isfinite(maps).all()


def test_plain_and_ddp_state_dicts_are_accepted(tmp_path, no_network):
    cfg = _config_with_unavailable_pretrained(tmp_path)
    state = _trained_state(cfg)
    plain, ddp = str(tmp_path / 'plain.pth'), str(tmp_path / 'ddp.pth')
    torch.save(state, plain)
    torch.save({'module.' + k: v for k, v in state.items()}, ddp)
    _assert_loaded(init_localizer(cfg, checkpoint=plain), state)
    _assert_loaded(init_localizer(cfg, checkpoint=ddp), state)


def test_checkpoint_that_does_not_fit_names_file_and_keys(tmp_path, no_network):
    cfg = _config_with_unavailable_pretrained(tmp_path)
    state = _trained_state(cfg)
    state.pop('neck.error_rates.0')
    state['neck.gate.weight'] = torch.zeros(1)
    checkpoint = str(tmp_path / 'other_model.pth')
    torch.save({'state_dict': state}, checkpoint)
    with pytest.raises(CheckpointError) as error:
        init_localizer(cfg, checkpoint=checkpoint)
    message = str(error.value)
    assert checkpoint in message
    assert 'missing keys [neck.error_rates.0]' in message
    assert 'unexpected keys [neck.gate.weight]' in message


def test_checkpoint_of_the_other_variant_is_refused(tmp_path, no_network):
    state = _trained_state(tiny_config('sspl_wo_pcm'))
    checkpoint = str(tmp_path / 'sspl_wo_pcm.pth')
    torch.save({'state_dict': state}, checkpoint)
    with pytest.raises(CheckpointError, match=r'missing keys \[neck\.'):
        init_localizer(_config_with_unavailable_pretrained(tmp_path), checkpoint=checkpoint)


def test_without_checkpoint_the_pretrained_backbones_are_loaded(tmp_path, no_network):
    cfg = tiny_config('sspl_w_pcm')
    torch.manual_seed(4)
    vggish = MODELS.build(dict(cfg.model.audio_backbone, pretrained=None))
    vggish.init_weights()
    vggish_path = str(tmp_path / 'vggish-10086976.pth')
    torch.save(vggish.state_dict(), vggish_path)
    cfg.model.audio_backbone.pretrained = vggish_path

    model = init_localizer(cfg)  # init_weights(): VGGish from the file
    assert not model.training
    for key, value in vggish.state_dict().items():
        assert torch.equal(model.audio_backbone.state_dict()[key], value), key

    # init_weights() really reads what the config names
    cfg.model.audio_backbone.pretrained = str(tmp_path / 'absent.pth')
    with pytest.raises(CheckpointError, match='absent.pth: checkpoint file does not exist'):
        init_localizer(cfg)
    cfg.model.audio_backbone.pretrained = vggish_path
    cfg.model.visual_backbone.pretrained = 'torchvision'
    with pytest.raises(AssertionError, match='tried to download'):
        init_localizer(cfg)


def test_bad_config_argument():
    with pytest.raises(TypeError, match='path or a mmengine Config'):
        init_localizer(dict(type='SSPL'))


def test_init_localizer(malicious):
    from sspl.apis import init_localizer
    path, marker = malicious
    config = osp.join(REPO_ROOT, 'configs', 'sspl_w_pcm_synthetic.py')
    with pytest.raises(CheckpointError, match=REFUSED):
        init_localizer(config, path)
    assert not marker.exists()
