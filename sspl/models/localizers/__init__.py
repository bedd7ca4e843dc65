from .base import BaseLocalizer
from .sspl import SSPL

__all__ = ['BaseLocalizer', 'SSPL']
