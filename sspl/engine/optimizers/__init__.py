from .sspl_optim_wrapper_constructor import SSPLOptimWrapperConstructor

__all__ = ['SSPLOptimWrapperConstructor']
