"""Fixtures of the performance tests: a small SSPL of the synthetic config and
a tiny VGGish weights file; one torch thread (the CI machine is shared, and
tiny ops on two contended threads are far slower)."""
import copy
import os.path as osp

import pytest
import torch


@pytest.fixture(autouse=True)
def one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope='session')
def tiny_cfg(repo_root):
    from mmengine.config import Config
    return Config.fromfile(osp.join(repo_root, 'configs', 'sspl_w_pcm_synthetic.py'))


@pytest.fixture
def tiny_model_cfg(tiny_cfg):
    """The synthetic config's model with a randomly initialised visual
    backbone (the config's pretrained file is made by the demo, not here)."""
    model_cfg = copy.deepcopy(tiny_cfg.model)
    model_cfg.visual_backbone.pretrained = None
    return model_cfg


@pytest.fixture
def vggish_file(tmp_path, tiny_model_cfg):
    """A weights file of the tiny VGGish, and its backbone config."""
    from sspl.registry import MODELS
    torch.manual_seed(1)
    vggish = MODELS.build(dict(tiny_model_cfg.audio_backbone, pretrained=None))
    path = str(tmp_path / 'vggish_tiny.pth')
    torch.save(vggish.state_dict(), path)
    return path, dict(tiny_model_cfg.audio_backbone, pretrained=path)
