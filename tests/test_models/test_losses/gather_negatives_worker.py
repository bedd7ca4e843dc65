"""One process of the gathered-negatives test: a BN-free encoder pair, the
method's loss on this process' share of a fixed batch, one backward through
DistributedDataParallel (two gloo ranks) or plain (one process).

    python gather_negatives_worker.py GATHER OUT_DIR          # one process
    torchrun --nproc_per_node=2 gather_negatives_worker.py ...     # two ranks
"""
import json
import os
import os.path as osp
import sys

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

BATCH, CHANNELS, SIZE, IN_DIM = 8, 16, 3, 12


class Encoders(nn.Module):
    """Image maps ``(B, C, 3, 3)`` and audio embeddings ``(B, C)``, unit norm,
    two heads each (the second used by SLAVC)."""

    def __init__(self):
        super().__init__()
        self.visual = nn.Linear(IN_DIM, 2 * CHANNELS * SIZE * SIZE)
        self.audio = nn.Linear(IN_DIM, 2 * CHANNELS)

    def forward(self, frames, sounds):
        maps = self.visual(frames).view(len(frames), 2, CHANNELS, SIZE, SIZE)
        embeddings = self.audio(sounds).view(len(sounds), 2, CHANNELS)
        return ([F.normalize(maps[:, i], dim=1) for i in range(2)],
                [F.normalize(embeddings[:, i], dim=1) for i in range(2)])


def loss_of(name, loss, maps, embeddings, target_maps, target_embeddings):
    if name == 'MaxMILInfoNCELoss':
        return loss(maps[0], embeddings[0])
    if name == 'FNACLoss':
        return loss(maps[0], embeddings[0], epoch=loss.warmup_epochs)['loss']
    return loss(maps, embeddings, target_maps, target_embeddings)['loss']


LOSSES = ('MaxMILInfoNCELoss', 'FNACLoss', 'SLAVCLoss')


def main():
    gather, out_dir = sys.argv[1] == 'gather', sys.argv[2]
    from sspl.registry import MODELS
    from sspl.utils import register_all_modules
    register_all_modules()
    distributed = 'RANK' in os.environ
    if distributed:
        dist.init_process_group('gloo')
    rank, world = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)

    generator = torch.Generator().manual_seed(0)
    frames = torch.randn(BATCH, IN_DIM, generator=generator)
    sounds = torch.randn(BATCH, IN_DIM, generator=generator)
    target_frames = torch.randn(BATCH, IN_DIM, generator=generator)
    share = slice(rank * BATCH // world, (rank + 1) * BATCH // world)
    results = {}
    for name in LOSSES:
        torch.manual_seed(1)
        model = Encoders()
        targets = Encoders()  # SLAVC's momentum targets: no gradient
        loss = MODELS.build(dict(type=name, gather_negatives=gather))
        net = nn.parallel.DistributedDataParallel(model) if distributed else model
        maps, embeddings = net(frames[share], sounds[share])
        with torch.no_grad():
            target_maps, target_embeddings = targets(target_frames[share], sounds[share])
        value = loss_of(name, loss, maps, embeddings, target_maps, target_embeddings)
        value.backward()
        results[name] = dict(loss=float(value), grads={k: p.grad.flatten().tolist()
                                                       for k, p in model.named_parameters()})
    with open(osp.join(out_dir, f'rank{rank}.json'), 'w') as file:
        json.dump(results, file)
    if distributed:
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
