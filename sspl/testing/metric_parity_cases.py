"""Readers of ``../shared/parity/metric_cases`` shared by the evaluation tests."""
import json
import os.path as osp

import numpy as np
import torch

from sspl.evaluation import functional as F

BENCHMARKS = ('flickr', 'vggss', 'chaoticworld')
TOL = 1e-6


def load_expected(cases_dir: str) -> dict:
    with open(osp.join(cases_dir, 'expected.json')) as handle:
        return json.load(handle)


def load_gt_maps(cases_dir: str, benchmark: str, ids):
    """Ground-truth maps of a parity benchmark, keyed by id, from its own format."""
    if benchmark == 'flickr':
        return {i: F.flickr_gt_map(osp.join(cases_dir, 'flickr', 'Annotations', f'{i}.xml'))
                for i in ids}
    if benchmark == 'vggss':
        with open(osp.join(cases_dir, 'vggss_synthetic.json')) as handle:
            return {item['file']: F.vggss_gt_map(item['bbox']) for item in json.load(handle)}
    with open(osp.join(cases_dir, 'chaoticworld_synthetic.json')) as handle:
        return {item['file']: F.chaotic_world_gt_map(item['bbox']) for item in json.load(handle)}


def metric_inputs(cases_dir: str, benchmark: str, ids):
    """The parity maps as the evaluator hands them to the metric: dicts with
    ``sample_id``, ``pred_sim_map`` (14, 14) and ``gt_map`` (224, 224) tensors."""
    maps = np.load(osp.join(cases_dir, f'{benchmark}_heatmaps.npy'))
    gt_maps = load_gt_maps(cases_dir, benchmark, ids)
    return [dict(sample_id=sample_id, pred_sim_map=torch.from_numpy(maps[i]),
                 gt_map=torch.from_numpy(gt_maps[sample_id].astype(np.float32)))
            for i, sample_id in enumerate(ids)]
