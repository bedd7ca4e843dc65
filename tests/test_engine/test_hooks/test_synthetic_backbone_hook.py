"""SyntheticBackboneHook builds the config's synthetic backbone before a
training run's weights are initialised, and never in a test or validation run
(tools/test.py: the checkpoint holds the weights)."""
from types import SimpleNamespace

import pytest
from mmengine.config import Config
from mmengine.runner import BaseLoop

from sspl.engine.hooks import SyntheticBackboneHook
from sspl.engine.hooks import synthetic_backbone_hook as hook_module


class _Loop(BaseLoop):
    def __init__(self):  # no runner or dataloader needed here
        pass

    def run(self):
        pass


def _runner(train_loop):
    cfg = Config(dict(model=dict(visual_backbone=dict(pretrained='x.pth'))))
    return SimpleNamespace(cfg=cfg, _train_loop=train_loop)


@pytest.fixture
def calls(monkeypatch):
    made = []
    monkeypatch.setattr(hook_module, 'ensure_synthetic_backbone',
                        lambda cfg, backbone, **options: made.append((backbone, options)))
    return made


def test_builds_when_training(calls):
    SyntheticBackboneHook(pretrain_options=dict(epochs=1)).before_run(_runner(_Loop()))
    assert [backbone for backbone, _ in calls] == ['visual_backbone']


@pytest.mark.parametrize('train_loop', [None, dict(type='EpochBasedTrainLoop', max_epochs=1)])
def test_never_in_a_test_run(calls, train_loop):
    SyntheticBackboneHook().before_run(_runner(train_loop))
    assert calls == []


def test_unknown_pretrain_option_is_named():
    with pytest.raises(ValueError, match="unknown pretrain_options \\['epoch'\\]"):
        SyntheticBackboneHook(pretrain_options=dict(epoch=1))
