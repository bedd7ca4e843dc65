"""Mixed precision that works on CPUs and GPUs with mmengine's optim wrappers.

mmengine 0.10.7's ``AmpOptimWrapper`` asserts CUDA and always builds a
``GradScaler`` (pointless for bfloat16, whose exponent range is float32's).
:class:`BF16OptimWrapper` autocasts to bfloat16 on any device without loss
scaling; :func:`amp_optim_wrapper_cfg` picks, for a device, bf16 where it is
supported and otherwise mmengine's ``AmpOptimWrapper`` in float16 with dynamic
loss scaling.
"""
from contextlib import contextmanager
from typing import Optional

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper

from sspl.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class BF16OptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose ``optim_context`` (the forward pass of
    ``train_step``, data preprocessor included) runs under
    ``torch.autocast(device_type, dtype=torch.bfloat16)``. No loss scaling;
    parameters, gradients and optimizer states stay float32.

    Args:
        device_type: ``'cpu'`` or ``'cuda'``; None (default) takes the device of
            the model's first parameter.
        **kwargs: :class:`mmengine.optim.OptimWrapper`'s arguments.
    """

    def __init__(self, device_type: Optional[str] = None, **kwargs):
        super().__init__(**kwargs)
        self.device_type = device_type

    @contextmanager
    def optim_context(self, model: nn.Module):
        device_type = self.device_type
        if device_type is None:
            param = next(model.parameters(), None)
            device_type = param.device.type if param is not None else 'cpu'
        with super().optim_context(model), torch.autocast(device_type=device_type,
                                                          dtype=torch.bfloat16):
            yield


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
