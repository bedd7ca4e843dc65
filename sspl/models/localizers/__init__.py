from .base import BaseLocalizer
from .base_contrastive import BaseContrastiveLocalizer
from .center_prior import CenterPriorLocalizer
from .ezvsl import EZVSL
from .fnac import FNAC
from .slavc import SLAVC
from .sspl import SSPL
from .sspl_published import PublishedSSPL
from . import sspl_benchmark  # noqa: F401,E402  (registers SSPL's part of the benchmark)
from . import vsl_benchmark  # noqa: F401,E402  (the ResNet-18 family's part)

__all__ = ['BaseLocalizer', 'BaseContrastiveLocalizer', 'CenterPriorLocalizer', 'EZVSL', 'FNAC',
           'SLAVC', 'SSPL', 'PublishedSSPL']
