"""Random state that depends on (seed, epoch) only, so a resumed run continues
with exactly the random numbers of an uninterrupted one."""
import random
from functools import partial

import numpy as np
import torch
from mmengine.dataset import worker_init_fn as mmengine_worker_init_fn
from mmengine.hooks import Hook

from sspl.registry import HOOKS


def epoch_seed(seed: int, epoch: int) -> int:
    """A 32-bit seed for ``epoch`` derived from the run's ``seed``."""
    return int(np.random.SeedSequence([int(seed) % 2**32, int(epoch)]).generate_state(1)[0])


@HOOKS.register_module()
class EpochSeedHook(Hook):
    """Re-seed Python's ``random``, NumPy and torch at the start of every
    training epoch from ``(runner.seed, epoch)``.

    mmengine's ``resume`` restores the model, optimizer, schedulers, counters
    and message hub, but not the random number generators: a resumed run would
    draw different augmentations and dataloader seeds than the uninterrupted
    run. With this hook the state of every generator at the start of epoch N
    is a function of the seed and N alone, so it needs no saving: resuming
    from the checkpoint of epoch N-1 re-creates it exactly. (The sampler's
    shuffling is already a function of seed and epoch in mmengine's
    ``DefaultSampler``.) A run killed mid-epoch resumes at the start of that
    epoch (``EpochBasedTrainLoop`` resumes at epoch boundaries) and repeats it
    with the same random numbers.

    Dataloader workers: with ``persistent_workers=False`` (and mmengine's
    default ``worker_init_fn``) the workers created for each epoch are seeded
    from the epoch seed too, so worker-side augmentation is reproduced
    exactly, and differs between epochs. Persistent workers are seeded once,
    when they start: a resumed run restarts their random streams, which gives
    statistically equivalent but not bit-identical augmentation (see
    ``docs/troubleshooting.md``).
    """

    priority = 'VERY_HIGH'

    def before_train_epoch(self, runner) -> None:
        seed = epoch_seed(runner.seed, runner.epoch)
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)
        loader = runner.train_dataloader
        init_fn = getattr(loader, 'worker_init_fn', None)
        if (getattr(loader, 'num_workers', 0) > 0 and not loader.persistent_workers
                and isinstance(init_fn, partial) and init_fn.func is mmengine_worker_init_fn):
            loader.worker_init_fn = partial(init_fn.func, *init_fn.args,
                                            **{**init_fn.keywords, 'seed': seed})
