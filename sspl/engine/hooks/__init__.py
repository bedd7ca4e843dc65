from .checkpoint_compat_hook import CheckpointCompatHook
from .per_sample_results_hook import PerSampleResultsHook
from .visualization_hook import LocalizationVisualizationHook

__all__ = ['CheckpointCompatHook', 'PerSampleResultsHook', 'LocalizationVisualizationHook']
