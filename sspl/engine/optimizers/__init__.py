from .amp_optim_wrapper import BF16OptimWrapper, amp_dtype_for, amp_optim_wrapper_cfg
from .trainable_params_optim_wrapper_constructor import (SSPLOptimWrapperConstructor,
                                                         TrainableParamsOptimWrapperConstructor)

__all__ = ['TrainableParamsOptimWrapperConstructor', 'SSPLOptimWrapperConstructor',
           'BF16OptimWrapper', 'amp_dtype_for', 'amp_optim_wrapper_cfg']
