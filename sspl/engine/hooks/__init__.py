from .atomic_checkpoint_hook import AtomicCheckpointHook
from ..compat.checkpoint_compat_hook import CheckpointCompatHook
from ..compat.early_stopping_hook import ResumableEarlyStoppingHook
from .embedding_cache_check_hook import EmbeddingCacheCheckHook
from .epoch_seed_hook import EpochSeedHook
from .nan_guard_hook import NaNGuardHook, NonFiniteLossError
from .per_sample_results_hook import PerSampleResultsHook
from .rank_watchdog_hook import RankWatchdogHook
from .skipped_sample_hook import SkippedSampleHook, TooManyBadSamplesError
from .synthetic_backbone_hook import SyntheticBackboneHook
from .visualization_hook import LocalizationVisualizationHook

__all__ = ['CheckpointCompatHook', 'PerSampleResultsHook', 'LocalizationVisualizationHook',
           'AtomicCheckpointHook', 'ResumableEarlyStoppingHook', 'EpochSeedHook', 'NaNGuardHook',
           'NonFiniteLossError', 'SkippedSampleHook', 'TooManyBadSamplesError',
           'EmbeddingCacheCheckHook', 'RankWatchdogHook', 'SyntheticBackboneHook']
