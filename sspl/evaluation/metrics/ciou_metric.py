"""``CIoUMetric``: the name configs have used since the first release."""
from sspl.registry import METRICS

from .localization_metric import LocalizationMetric


@METRICS.register_module()
class CIoUMetric(LocalizationMetric):
    """:class:`LocalizationMetric` under its first name: ``dict(type='CIoUMetric',
    protocol='fixed')`` keeps working and now also reports the pointing game
    (and any protocol listed in ``protocols``). Same arguments, same keys."""
