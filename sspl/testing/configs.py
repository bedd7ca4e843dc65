"""Tiny configs and inputs for fast tests.

- :func:`tiny_config`: the published configs (``configs/sspl_{w,wo}_pcm.py``,
  the same classes and optimizer) scaled down through ``model`` overrides;
- :func:`synthetic_config` / :func:`tiny_train_config`: the synthetic SSPL
  config (already small), shrunk further for CPU training runs;
- :func:`loader_options`: the ``--cfg-options`` that shrink a config's
  dataloaders the way a user would on the command line;
- model inputs of the tiny sizes.
"""
import copy
import os.path as osp
from typing import Iterable, List, Optional, Tuple

import torch
from mmengine.config import Config

from .repo import REPO_ROOT, SYNTHETIC_CONFIG

# 112 x 112 frames -> VGG16 with 4 stages at 1/8 width -> (64, 14, 14) maps.
IMAGE_SIZE = 112
TINY_MODEL = dict(
    visual_backbone=dict(num_stages=4, width_mult=0.125, pretrained=None),
    audio_backbone=dict(width_mult=0.125, hidden_dim=64, pretrained=None),
    audio_head=dict(in_dim=128, hidden_dim=64, out_dim=64),
    head=dict(in_dim=64, dim=128, pred_hidden_dim=32),
)
TINY_NECK = dict(visual_channels=64, audio_channels=128, out_channels=64, cycles=1)


def tiny_config(variant: str = 'sspl_w_pcm', **model_overrides) -> Config:
    """``configs/<variant>.py`` with the tiny model sizes and ``model_overrides``
    (nested dicts merged, e.g. ``visual_backbone=dict(frozen=False)``)."""
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', f'{variant}.py'))
    overrides = dict(TINY_MODEL)
    if cfg.model.get('neck') is not None:
        overrides['neck'] = TINY_NECK
    cfg.merge_from_dict(dict(model=overrides))
    if model_overrides:
        cfg.merge_from_dict(dict(model=model_overrides))
    return cfg


def synthetic_config() -> Config:
    """``configs/sspl_w_pcm_synthetic.py`` (a small SSPL on 112 px frames and
    its runtime) with a randomly initialised visual backbone: the config's
    pretrained file is made by the demo, not by the tests (plumbing, not
    accuracy)."""
    cfg = Config.fromfile(SYNTHETIC_CONFIG)
    cfg.model.visual_backbone.pretrained = None
    return cfg


def tiny_train_config(tmp_dir: str, data_root: str, max_epochs: int = 2,
                      extra_custom_hooks: Optional[List[dict]] = None, **overrides) -> Config:
    """:func:`synthetic_config` shrunk for CPU training tests: 8 training clips
    in batches of 4 (2 iterations per epoch), 4 validation clips, no dataloader
    workers, deterministic, LocalVisBackend only, one checkpoint kept."""
    cfg = synthetic_config()
    for split, num in (('train', 8), ('val', 4), ('test', 4)):
        loader = cfg[f'{split}_dataloader']
        loader.update(batch_size=4, num_workers=0, persistent_workers=False)
        loader.dataset.update(data_root=data_root, num_samples=num)
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    if 'visualization' in cfg.default_hooks:
        cfg.default_hooks.visualization.enable = False
    cfg.default_hooks.checkpoint.max_keep_ckpts = 1
    cfg.default_hooks.logger.interval = 1
    cfg.train_cfg.max_epochs = max_epochs
    cfg.randomness = dict(seed=7, deterministic=True)
    cfg.work_dir = osp.join(tmp_dir, 'work_dir')
    if extra_custom_hooks:
        cfg.custom_hooks = list(cfg.custom_hooks) + list(extra_custom_hooks)
    for key, value in overrides.items():
        cfg[key] = value
    return copy.deepcopy(cfg)


def dump_config(cfg, path: str, fault: Optional[dict] = None) -> str:
    """Write ``cfg`` to ``path``; ``fault``: arguments of the FaultInjectionHook
    (``sspl/testing/fault_injection.py``) to add."""
    cfg = copy.deepcopy(cfg)
    if fault:
        cfg.custom_imports = dict(imports=['sspl.testing.fault_injection'],
                                  allow_failed_imports=False)
        cfg.custom_hooks = list(cfg.custom_hooks) + [dict(type='FaultInjectionHook', **fault)]
    cfg.dump(path)
    return path


def loader_options(splits: Iterable[Tuple[str, Optional[int]]], data_root: Optional[str] = None,
                   batch_size: int = 4) -> List[str]:
    """``--cfg-options`` entries that shrink the dataloader of each
    ``(split, num_samples)``: ``batch_size``, loading in the main process, and
    (where given) the data root and the number of samples."""
    options = []
    for split, num in splits:
        options += [f'{split}_dataloader.batch_size={batch_size}',
                    f'{split}_dataloader.num_workers=0',
                    f'{split}_dataloader.persistent_workers=False']
        if data_root:
            options.append(f'{split}_dataloader.dataset.data_root={data_root}')
        if num:
            options.append(f'{split}_dataloader.dataset.num_samples={num}')
    return options


def build_model(model_cfg, seed: int = 0):
    """The model of ``model_cfg``, built and initialised after seeding torch."""
    from sspl.registry import MODELS
    torch.manual_seed(seed)
    model = MODELS.build(copy.deepcopy(model_cfg))
    model.init_weights()
    return model


def tiny_inputs(batch: int = 2, num_examples: int = 2, seed: int = 0) -> dict:
    """Model inputs: ``frames`` ``(B, 2, 3, 112, 112)`` normalised views and
    ``log_mel`` ``(B, T, 1, 96, 64)``."""
    generator = torch.Generator().manual_seed(seed)
    return dict(frames=torch.randn(batch, 2, 3, IMAGE_SIZE, IMAGE_SIZE, generator=generator),
                log_mel=torch.randn(batch, num_examples, 1, 96, 64, generator=generator))


def varied_inputs(batch: int = 4, size: int = 112) -> dict:
    """SSPL inputs whose samples differ in scale and offset: ``frames``
    ``(B, 2, 3, size, size)`` and ``log_mel`` ``(B, 3, 1, 96, 64)`` (seed 3).
    With samples alike, the batch norms of the SimSiam head divide by a tiny
    batch variance and a 1e-6 change of the input moves the gradients by 20%;
    these inputs keep a training step well conditioned (about 2e-4)."""
    torch.manual_seed(3)
    scale = torch.linspace(0.5, 3.0, batch).view(batch, 1, 1, 1, 1)
    shift = torch.linspace(-1.0, 2.0, batch).view(batch, 1, 1, 1, 1)
    return dict(frames=torch.randn(batch, 2, 3, size, size) * scale + shift,
                log_mel=torch.randn(batch, 3, 1, 96, 64) * scale + shift)
