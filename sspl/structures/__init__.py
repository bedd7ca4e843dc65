from .localization_data_sample import LocalizationDataSample

__all__ = ['LocalizationDataSample']
