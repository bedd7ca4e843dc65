"""Mixed precision that works on CPUs and GPUs with mmengine's optim wrappers.

:func:`amp_optim_wrapper_cfg` picks, for a device, bf16 where it is supported
(:class:`~sspl.engine.compat.BF16OptimWrapper`: mmengine 0.10.7's
``AmpOptimWrapper`` asserts CUDA and always builds a ``GradScaler``) and
otherwise mmengine's ``AmpOptimWrapper`` in float16 with dynamic loss scaling.
"""
from typing import Optional

import torch

from ..compat.bf16_optim_wrapper import BF16OptimWrapper

__all__ = ['BF16OptimWrapper', 'amp_dtype_for', 'amp_optim_wrapper_cfg']


def amp_dtype_for(device: str) -> torch.dtype:
    """The autocast dtype for ``device``: bfloat16 on CPUs and on GPUs that
    support it, float16 otherwise."""
    if str(device).startswith('cuda') and not torch.cuda.is_bf16_supported():
        return torch.float16
    return torch.bfloat16


def amp_optim_wrapper_cfg(optim_wrapper: dict, device: Optional[str] = None) -> dict:
    """A copy of the ``optim_wrapper`` config switched to mixed precision on
    ``device`` (default: CUDA if available, else CPU):

    - bfloat16 supported (CPUs, Ampere and later GPUs): :class:`BF16OptimWrapper`;
    - otherwise: mmengine's ``AmpOptimWrapper`` with ``dtype='float16'`` and
      ``loss_scale='dynamic'``.

    Keys of the original config (optimizer, constructor, paramwise_cfg,
    clip_grad, ...) are kept; a ``dtype`` or ``loss_scale`` already set there is
    respected for the float16 wrapper.
    """
    if device is None:
        device = 'cuda' if torch.cuda.is_available() else 'cpu'
    cfg = dict(optim_wrapper)
    if cfg.get('type') not in (None, 'OptimWrapper', 'AmpOptimWrapper', 'BF16OptimWrapper'):
        raise ValueError(f"--amp: optim_wrapper type {cfg.get('type')!r} is not a plain "
                         'OptimWrapper; set its mixed precision in the config instead')
    if amp_dtype_for(device) == torch.bfloat16:
        cfg.pop('dtype', None)
        cfg.pop('loss_scale', None)
        cfg.update(type='BF16OptimWrapper', device_type=str(device).split(':')[0])
    else:
        cfg['type'] = 'AmpOptimWrapper'
        cfg.setdefault('dtype', 'float16')
        cfg.setdefault('loss_scale', 'dynamic')
    return cfg
