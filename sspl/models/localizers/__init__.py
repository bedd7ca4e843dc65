from .base import BaseLocalizer
from .center_prior import CenterPriorLocalizer
from .sspl import SSPL
from .sspl_published import PublishedSSPL
from . import sspl_benchmark  # noqa: F401,E402  (registers SSPL's part of the benchmark)

__all__ = ['BaseLocalizer', 'CenterPriorLocalizer', 'SSPL', 'PublishedSSPL']
