from .base_av_dataset import BaseAVDataset
from .synthetic import SyntheticAVDataset
from .transforms import *  # noqa: F401,F403

__all__ = ['BaseAVDataset', 'SyntheticAVDataset']
