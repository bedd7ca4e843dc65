"""Negatives from every rank: an all-gather that gradients flow back through.

The published EZ-VSL / SLAVC / FNAC code takes the negatives of a sample from
its own GPU's share of the batch. Gathering the embeddings of all ranks (as
CLIP and MoCo v3 do) gives each sample the negatives of the whole batch. The
gather keeps the gradient: the backward pass sums, over the ranks, the
gradient that each rank's loss sends to a gathered tensor and gives every
rank back the part that belongs to its own inputs. With each rank computing
the loss of its own rows against all ranks' columns, the mean of the ranks'
losses is the loss of the whole batch in one process, and the gradients that
DistributedDataParallel averages are the one-process gradients
(tests/test_models/test_losses/test_cross_rank_negatives.py).
"""
from typing import Tuple

import torch
import torch.distributed as dist


def _world() -> Tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size(), dist.get_rank()
    return 1, 0


class _AllGatherWithGrad(torch.autograd.Function):
    """``(b, ...)`` on each rank -> ``(world * b, ...)`` in rank order."""

    @staticmethod
    def forward(ctx, tensor: torch.Tensor) -> torch.Tensor:
        world, rank = _world()
        sizes = [torch.zeros(1, dtype=torch.long, device=tensor.device) for _ in range(world)]
        dist.all_gather(sizes, torch.tensor([tensor.shape[0]], device=tensor.device))
        if len({int(size) for size in sizes}) != 1:
            raise RuntimeError('gather_negatives needs the same batch size on every rank, got '
                               f'{[int(size) for size in sizes]} (use drop_last=True)')
        parts = [torch.empty_like(tensor) for _ in range(world)]
        dist.all_gather(parts, tensor.contiguous())
        ctx.rank, ctx.batch = rank, tensor.shape[0]
        return torch.cat(parts, dim=0)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        grad = grad_output.contiguous().clone()
        dist.all_reduce(grad, op=dist.ReduceOp.SUM)
        return grad[ctx.rank * ctx.batch:(ctx.rank + 1) * ctx.batch]


def gather_across_ranks(tensor: torch.Tensor, enabled: bool = True
                        ) -> Tuple[torch.Tensor, int]:
    """``(b, ...)`` -> the concatenation over all ranks ``(world * b, ...)``
    and the index of this rank's first row in it. Without a process group,
    with one rank or with ``enabled=False``: ``(tensor, 0)``."""
    world, rank = _world()
    if not enabled or world == 1:
        return tensor, 0
    return _AllGatherWithGrad.apply(tensor), rank * tensor.shape[0]
