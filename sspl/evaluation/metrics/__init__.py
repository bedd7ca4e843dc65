from .ciou_metric import CIoUMetric
from .localization_metric import LocalizationMetric

__all__ = ['CIoUMetric', 'LocalizationMetric']
