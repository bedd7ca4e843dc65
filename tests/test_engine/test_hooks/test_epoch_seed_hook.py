"""EpochSeedHook: the random numbers a training step draws in the main
process (a model's dropout, random negatives) are a function of the seed and
the iteration, whatever the dataloader consumed in between."""
from types import SimpleNamespace

import torch
from torch.utils.data import DataLoader

from sspl.engine.hooks import EpochSeedHook


def model_draws(num_workers, persistent, epochs=(0, 1, 2), iters_per_epoch=3):
    """What a model drawing ``torch.rand`` in each step draws, epoch by epoch,
    with the hook called as mmengine's EpochBasedTrainLoop calls it."""
    loader = DataLoader(list(range(iters_per_epoch)), batch_size=1, num_workers=num_workers,
                        persistent_workers=persistent)
    runner = SimpleNamespace(seed=7, epoch=0, iter=0, train_dataloader=loader)
    hook, draws = EpochSeedHook(), {}
    for epoch in epochs:
        runner.epoch, runner.iter = epoch, epoch * iters_per_epoch
        hook.before_train_epoch(runner)
        for batch_idx, batch in enumerate(loader):  # iter(loader) draws from torch's generator
            hook.before_train_iter(runner, batch_idx, batch)
            draws[runner.iter] = torch.rand(2).tolist()
            runner.iter += 1
    return draws


def test_model_randomness_is_the_same_with_or_without_persistent_workers_and_after_resume():
    reference = model_draws(0, False)
    assert len(reference) == 9 and len({tuple(v) for v in reference.values()}) == 9
    assert model_draws(1, True) == reference
    assert model_draws(1, False) == reference
    resumed = model_draws(1, True, epochs=(2,))  # a run resumed after epoch 1: new workers
    assert resumed == {it: v for it, v in reference.items() if it >= 6}


def test_the_draws_are_a_function_of_seed_and_iteration():
    loader = DataLoader([0], batch_size=1)
    hook = EpochSeedHook()
    draws = []
    for seed, iteration in ((7, 4), (7, 4), (8, 4), (7, 5)):
        torch.rand(3)  # whatever ran before
        hook.before_train_iter(SimpleNamespace(seed=seed, iter=iteration,
                                               train_dataloader=loader), 0)
        draws.append(torch.rand(1).item())
    assert draws[0] == draws[1] and len(set(draws)) == 3
