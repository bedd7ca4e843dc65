"""Random state of the training process that depends on (seed, epoch,
iteration) only, so a resumed run continues with exactly the random numbers of
an uninterrupted one."""
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


def iteration_seed(seed: int, iteration: int) -> int:
    """A 32-bit seed for training iteration ``iteration`` (0-based, counted
    over the whole run) derived from the run's ``seed``; another stream than
    :func:`epoch_seed`'s."""
    return int(np.random.SeedSequence([int(seed) % 2**32, 1, int(iteration)])
               .generate_state(1)[0])


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's and torch's global generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@HOOKS.register_module()
class EpochSeedHook(Hook):
    """Re-seed Python's ``random``, NumPy and torch in the training process
    from ``(runner.seed, epoch)`` at the start of every training epoch and from
    ``(runner.seed, iteration)`` before every training iteration.

    mmengine's ``resume`` restores the model, optimizer, schedulers, counters
    and message hub, but not the random number generators. With this hook the
    random state a training step starts from is a function of the seed and the
    iteration alone, so it needs no saving: the model's own randomness
    (dropout, random masks or negatives drawn with ``torch.rand*``) is the
    same in a resumed run, whatever the dataloader consumed from the global
    generators in between (``DataLoader`` draws a base seed from torch's
    generator each time an iterator is created, i.e. every epoch without
    persistent workers, once with them). A run killed mid-epoch resumes at the
    start of that epoch (``EpochBasedTrainLoop`` resumes at epoch boundaries)
    and repeats it with the same random numbers. (The sampler's shuffling is a
    function of seed and epoch in mmengine's ``DefaultSampler``.)

    What a method's model must do for this to hold: draw its randomness in
    the training process from torch's (or NumPy's, Python's) global
    generators during the step, not from a ``torch.Generator`` it created
    once and keeps outside its ``state_dict``; keep state that evolves over
    training (momentum encoders, EMA teachers, feature queues and their
    pointers) in parameters or registered buffers, so that the checkpoint
    holds it (buffers are averaged over the ranks at each epoch end by
    ``SyncBuffersHook``: per-rank state that must not be averaged, e.g. a
    queue filled from each rank's own batch, must be gathered so that every
    rank holds the same).

    Data augmentation does not depend on this hook: it runs in the dataloader
    workers and draws from each sample's ``(seed, epoch, index)`` key
    (:mod:`sspl.datasets.sample_randomness`), so it is the same whatever the
    worker count and whether workers persist. For transforms that still use
    the workers' global generators (a sampler other than sspl's), workers
    forked anew each epoch (``persistent_workers=False``, mmengine's default
    ``worker_init_fn``) are seeded from the epoch seed here.
    """

    priority = 'VERY_HIGH'

    def before_train_epoch(self, runner) -> None:
        seed = epoch_seed(runner.seed, runner.epoch)
        seed_everything(seed)
        loader = runner.train_dataloader
        init_fn = getattr(loader, 'worker_init_fn', None)
        if (getattr(loader, 'num_workers', 0) > 0 and not loader.persistent_workers
                and isinstance(init_fn, partial) and init_fn.func is mmengine_worker_init_fn):
            loader.worker_init_fn = partial(init_fn.func, *init_fn.args,
                                            **{**init_fn.keywords, 'seed': seed})

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        seed_everything(iteration_seed(runner.seed, runner.iter))
