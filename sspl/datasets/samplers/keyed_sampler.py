"""mmengine's ``DefaultSampler`` whose indices carry their seed and epoch."""
from typing import Iterator

from mmengine.dataset import DefaultSampler as MMEngineDefaultSampler

from sspl.registry import DATA_SAMPLERS
from ..sample_randomness import SampleKey


@DATA_SAMPLERS.register_module()
class KeyedSampler(MMEngineDefaultSampler):
    """mmengine's ``DefaultSampler`` (same order: a function of ``seed`` and
    ``epoch``, the same sharding over ranks and the same arguments) that yields
    each index as a :class:`~sspl.datasets.sample_randomness.SampleKey`: an int
    carrying ``(seed, epoch)``.

    Configs name it (``dict(type='KeyedSampler')``); ``'DefaultSampler'`` stays
    mmengine's stock sampler, whose plain indices make the dataset fall back to
    the worker's global generator (with a warning). The key travels with the
    index through the dataloader's index queue, so every worker, forked once
    with ``persistent_workers=True`` or anew every epoch, knows the epoch of
    the sample it loads (mmengine's ``DistSamplerSeedHook`` calls
    ``set_epoch`` in the main process only). The dataset derives the sample's
    random draws from ``(seed, epoch, index)`` (see
    :mod:`sspl.datasets.sample_randomness`).
    """

    def __iter__(self) -> Iterator[SampleKey]:
        epoch, seed = self.epoch, self.seed
        for index in super().__iter__():
            yield SampleKey(index, epoch, seed)
