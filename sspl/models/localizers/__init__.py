from .sspl import SSPL

__all__ = ['SSPL']
