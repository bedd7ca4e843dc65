"""Every sspl component is registered under its own name only: a config that
asks for an mmengine class by name gets mmengine's class, never an sspl one."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.hooks import CheckpointHook, EarlyStoppingHook
from mmengine.registry import Registry

import sspl.registry
from sspl.engine.hooks import AtomicCheckpointHook, ResumableEarlyStoppingHook
from sspl.registry import HOOKS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def test_mmengine_hook_names_build_mmengine_hooks_in_the_sspl_scope():
    assert type(HOOKS.build(dict(type='CheckpointHook', interval=1))) is CheckpointHook
    assert type(HOOKS.build(dict(type='EarlyStoppingHook', monitor='cIoU', rule='greater'))) is EarlyStoppingHook


def test_sspl_hooks_build_by_their_own_names():
    assert type(HOOKS.build(dict(type='AtomicCheckpointHook', interval=1))) is AtomicCheckpointHook
    assert type(HOOKS.build(dict(type='ResumableEarlyStoppingHook', monitor='cIoU', rule='greater'))) is \
        ResumableEarlyStoppingHook


REGISTRIES = sorted(name for name in dir(sspl.registry)
                    if isinstance(getattr(sspl.registry, name), Registry)
                    and getattr(sspl.registry, name).parent is not None)


@pytest.mark.parametrize('name', REGISTRIES)
def test_no_sspl_name_shadows_an_mmengine_name(name):
    registry = getattr(sspl.registry, name)
    registry.import_from_location()
    shadowed = sorted(set(registry.module_dict) & set(registry.parent.module_dict))
    assert shadowed == [], f'sspl registers mmengine names in {name}: {shadowed}'


def test_default_runtime_names_the_sspl_hooks():
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', '_base_', 'default_runtime.py'))
    assert type(HOOKS.build(cfg.default_hooks.checkpoint)) is AtomicCheckpointHook
