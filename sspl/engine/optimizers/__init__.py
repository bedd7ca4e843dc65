from .amp_optim_wrapper import BF16OptimWrapper, amp_dtype_for, amp_optim_wrapper_cfg
from .sspl_optim_wrapper_constructor import SSPLOptimWrapperConstructor

__all__ = ['SSPLOptimWrapperConstructor', 'BF16OptimWrapper', 'amp_dtype_for',
           'amp_optim_wrapper_cfg']
