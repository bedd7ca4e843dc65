"""Count, log and bound the training samples skipped because their files are bad."""
import logging
from collections import Counter
from typing import Any, List, Optional, Tuple

from mmengine.dist import all_gather_object, get_world_size
from mmengine.hooks import Hook

from sspl.datasets.base_av_dataset import SKIPPED_KEY
from sspl.datasets.validation import DataLoadError
from sspl.registry import HOOKS


class TooManyBadSamplesError(DataLoadError):
    """More training samples failed to load than the configured fraction allows."""


def _format(skips: List[Tuple[str, str]], limit: int) -> str:
    reasons = {}
    for sample_id, reason in skips:
        reasons.setdefault(sample_id, reason)
    counts = Counter(sample_id for sample_id, _ in skips)
    shown = [f'{sample_id}' + (f' (x{counts[sample_id]})' if counts[sample_id] > 1 else '')
             + f': {reasons[sample_id]}' for sample_id in list(reasons)[:limit]]
    more = f'; ... and {len(reasons) - limit} more' if len(reasons) > limit else ''
    return '; '.join(shown) + more


@HOOKS.register_module()
class SkippedSampleHook(Hook):
    """Report the samples :class:`~sspl.datasets.BaseAVDataset` skipped in
    training because a file failed to load, and stop when there are too many.

    The dataset attaches the skipped ``(sample_id, reason)`` pairs to the
    sample it returns instead (metainfo ``skipped_samples``); this hook reads
    them from every batch, so the count is exact whatever the number of
    dataloader workers. After each epoch it logs
    ``skipped N samples in epoch E (K distinct): id: reason; ...`` (gathered
    over all ranks).

    Args:
        max_skip_fraction: stop with :class:`TooManyBadSamplesError` as soon as
            the samples skipped in one epoch exceed this fraction of the
            epoch's samples (per rank). ``None`` disables the bound.
        max_listed: how many distinct samples the messages list.
    """

    priority = 'NORMAL'

    def __init__(self, max_skip_fraction: Optional[float] = 0.05, max_listed: int = 10):
        if max_skip_fraction is not None and not 0 <= max_skip_fraction <= 1:
            raise ValueError(f'SkippedSampleHook: max_skip_fraction must be in [0, 1], '
                             f'got {max_skip_fraction}')
        self.max_skip_fraction = max_skip_fraction
        self.max_listed = max_listed
        self._skips: List[Tuple[str, str]] = []

    def before_train_epoch(self, runner) -> None:
        self._skips = []

    def after_train_iter(self, runner, batch_idx: int, data_batch: Any = None,
                         outputs: Any = None) -> None:
        samples = data_batch.get('data_samples') if isinstance(data_batch, dict) else None
        for sample in samples or []:
            metainfo = getattr(sample, 'metainfo', None) or {}
            self._skips.extend(tuple(item) for item in metainfo.get(SKIPPED_KEY, ()))
        if self.max_skip_fraction is None or not self._skips:
            return
        loader = runner.train_dataloader
        sampler = getattr(loader, 'sampler', None)
        epoch_size = len(sampler) if sampler is not None and hasattr(sampler, '__len__') \
            else len(loader.dataset)
        if len(self._skips) > self.max_skip_fraction * epoch_size:
            message = (f'skipped {len(self._skips)} samples in epoch {runner.epoch + 1} '
                       f'(of {epoch_size} per epoch on this rank), more than max_skip_fraction='
                       f'{self.max_skip_fraction}: too much of the training data fails to '
                       f'load. {_format(self._skips, self.max_listed)}. Check the dataset with '
                       'tools/data/check_dataset.py CONFIG --split train.')
            runner.logger.error(message)
            raise TooManyBadSamplesError(message)

    def after_train_epoch(self, runner) -> None:
        skips = self._skips
        if get_world_size() > 1:
            skips = [item for part in all_gather_object(skips) for item in part]
        if skips:
            distinct = len({sample_id for sample_id, _ in skips})
            runner.logger.log(logging.WARNING,
                              f'skipped {len(skips)} samples in epoch {runner.epoch + 1} '
                              f'({distinct} distinct), replaced by other samples: '
                              f'{_format(skips, self.max_listed)}')
