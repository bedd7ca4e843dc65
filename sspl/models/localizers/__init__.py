from .base import BaseLocalizer
from .sspl import SSPL
from .sspl_published import PublishedSSPL

__all__ = ['BaseLocalizer', 'SSPL', 'PublishedSSPL']
