"""Tiny versions of the published configs for fast model tests: the same
classes and the same config files (``configs/sspl_{w,wo}_pcm.py``, with their
optimizer), scaled down through ``model`` overrides."""
import os.path as osp

import torch
from mmengine.config import Config

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

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
