"""VGG16 and VGGish: the published weight layouts (with the audio head's),
pretrained weights through the config, files that do not fit named with their
keys, and files that carry a pickled callable refused."""
import json
import os.path as osp

import pytest
import torch
import torch.nn as nn

from sspl.models import VGG16, VGGish
from sspl.registry import MODELS
from sspl.testing import MALICIOUS_REFUSED as REFUSED, tiny_config
from sspl.utils import CheckpointError


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


# ----------------------------------------------- unsafe pretrained files
@pytest.mark.parametrize('backbone', ['VGG16', 'VGGish'])
def test_pretrained_backbone_weights(malicious, backbone):
    from sspl.registry import MODELS
    path, marker = malicious
    model = MODELS.build(dict(type=backbone, pretrained=path, width_mult=0.125))
    with pytest.raises(CheckpointError, match=REFUSED):
        model.init_weights()
    assert not marker.exists()
