"""bfloat16 mixed precision with mmengine's optim wrappers, on CPUs and GPUs.

mmengine 0.10.7's ``AmpOptimWrapper`` asserts CUDA (it fails on a CPU), always
builds a ``GradScaler`` (pointless for bfloat16, whose exponent range is
float32's) and uses the deprecated ``torch.cuda.amp.GradScaler``.
:class:`BF16OptimWrapper` autocasts to bfloat16 on any device without loss
scaling; :func:`sspl.engine.optimizers.amp_optim_wrapper_cfg` picks it.
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
