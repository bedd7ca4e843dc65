"""tools/synthetic/imagenet_vgg16_available.py: the demo's choice between
torchvision's ImageNet VGG16 and the synthetic-pretrained stand-in."""
import os
import os.path as osp

import pytest
import torch


@pytest.fixture
def tool(load_tool):
    return load_tool('tools/synthetic/imagenet_vgg16_available.py')


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    return tmp_path


def test_no_gpu_means_the_stand_in(tool, torch_home, monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    assert tool.main(['--no-download']) == 1
    assert 'no CUDA GPU' in capsys.readouterr().out


def test_cached_weights_are_found_where_torchvision_looks(tool, torch_home, capsys):
    path = tool.cached_weights_path()
    assert path == str(torch_home / 'hub' / 'checkpoints' / 'vgg16-397923af.pth')
    assert tool.main(['--allow-cpu', '--no-download']) == 1
    assert 'is not there' in capsys.readouterr().out
    # A file in the torchvision layout where torchvision caches it: the VGG16
    # backbone with pretrained='torchvision' loads it from there.
    from sspl.models.backbones import VGG16
    reference = VGG16(pretrained=None)
    reference.init_weights()
    os.makedirs(osp.dirname(path), exist_ok=True)
    torch.save(reference.state_dict(), path)
    assert tool.main(['--allow-cpu', '--no-download']) == 0
    assert path in capsys.readouterr().out
    backbone = VGG16(pretrained='torchvision')
    backbone.init_weights()
    for key, value in reference.state_dict().items():
        assert torch.equal(backbone.state_dict()[key], value), key


def test_failed_download_is_a_no_with_the_reason(tool, torch_home, monkeypatch, capsys):
    from torchvision.models import VGG16_Weights

    def offline(*args, **kwargs):
        raise OSError('network is unreachable')
    monkeypatch.setattr(type(VGG16_Weights.IMAGENET1K_V1), 'get_state_dict', offline)
    assert tool.main(['--allow-cpu']) == 1
    out = capsys.readouterr().out
    assert 'download of https://download.pytorch.org/models/vgg16-397923af.pth failed' in out
    assert 'network is unreachable' in out
