"""Optimizer construction over the trainable parameters, with absolute
learning rates per parameter group."""
from typing import List, Optional

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor

from sspl.registry import OPTIM_WRAPPER_CONSTRUCTORS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class TrainableParamsOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """mmengine's default constructor, with two differences:

    - parameters that do not require gradients (frozen backbones) are left
      out of the optimizer;
    - an entry of ``paramwise_cfg.custom_keys`` may give an absolute ``lr`` (and
      ``weight_decay``) besides mmengine's ``lr_mult`` / ``decay_mult``, so a
      config states a method's published learning rates as they are::

          custom_keys={'<module name>': dict(lr=1e-4),
                       '<parameter name>': dict(lr=1e-4, decay_mult=0.0), ...}

      (a method's schedule config names its own parts, e.g.
      ``configs/_base_/schedules/sspl_adamw.py``).

    Keys match substrings of parameter names, longest key first (mmengine's rule).
    Also registered as ``SSPLOptimWrapperConstructor``, its former name.
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: Optional[dict] = None):
        super().__init__(optim_wrapper_cfg, paramwise_cfg)
        # mmengine skips add_params (and so this class' filter) when there is
        # no paramwise option at all: give it an empty one
        if not self.paramwise_cfg:
            self.paramwise_cfg = dict(custom_keys={})

    def add_params(self, params: List[dict], module: nn.Module, prefix: str = '',
                   is_dcn_module=None) -> None:
        groups: List[dict] = []
        super().add_params(groups, module, prefix, is_dcn_module)
        custom_keys = self.paramwise_cfg.get('custom_keys', {})
        names = {id(param): name for name, param in module.named_parameters(prefix=prefix)}
        for group in groups:
            param = group['params'][0]
            if not param.requires_grad:
                continue
            name = names.get(id(param), '')
            for key in sorted(custom_keys, key=len, reverse=True):
                if key in name:
                    for option in ('lr', 'weight_decay'):
                        if option in custom_keys[key]:
                            group[option] = custom_keys[key][option]
                            if option == 'weight_decay':
                                group[option] *= custom_keys[key].get('decay_mult', 1.0)
                    break
            params.append(group)


#: The former name (configs written before the rename keep working).
SSPLOptimWrapperConstructor = TrainableParamsOptimWrapperConstructor
OPTIM_WRAPPER_CONSTRUCTORS.register_module(name='SSPLOptimWrapperConstructor',
                                           module=TrainableParamsOptimWrapperConstructor)
