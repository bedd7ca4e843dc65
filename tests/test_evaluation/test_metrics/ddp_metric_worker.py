"""Run CIoUMetric over the parity maps of one benchmark, sharded by mmengine's
DefaultSampler, in one process or under torchrun (gloo), as the test loop does.

    python ddp_metric_worker.py CASES_DIR BENCHMARK NUM_SAMPLES OUT_DIR
    torchrun --standalone --nproc_per_node=2 ddp_metric_worker.py ...

Rank 0 writes OUT_DIR/metrics.json and OUT_DIR/per_sample.json; every rank
writes OUT_DIR/seen_rank<R>.json (the sample ids it processed)."""
import json
import os
import os.path as osp
import sys

import torch.distributed as dist
from mmengine.dataset import DefaultSampler
from torch.utils.data import DataLoader

from sspl.evaluation import CIoUMetric
from sspl.testing.metric_parity_cases import load_expected, metric_inputs


def main():
    cases_dir, benchmark, num_samples, out_dir = sys.argv[1:5]
    if 'RANK' in os.environ:
        dist.init_process_group('gloo')
    rank = dist.get_rank() if dist.is_initialized() else 0
    ids = load_expected(cases_dir)[benchmark]['ids'][:int(num_samples)]
    samples = metric_inputs(cases_dir, benchmark, ids)
    sampler = DefaultSampler(samples, shuffle=False)  # pads to a multiple of the world size
    loader = DataLoader(samples, batch_size=4, sampler=sampler, collate_fn=lambda batch: batch)
    metric = CIoUMetric(out_file=osp.join(out_dir, 'per_sample.json'))
    seen = []
    for batch in loader:
        metric.process({}, batch)
        seen += [sample['sample_id'] for sample in batch]
    with open(osp.join(out_dir, f'seen_rank{rank}.json'), 'w') as handle:
        json.dump(seen, handle)
    metrics = metric.evaluate(len(samples))
    if rank == 0:
        with open(osp.join(out_dir, 'metrics.json'), 'w') as handle:
            json.dump(metrics, handle)
    if dist.is_initialized():
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
