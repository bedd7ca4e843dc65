#!/usr/bin/env python
"""Score the centre-prior baseline on a config's evaluation split.

The baseline predicts the same fixed, centred Gaussian map (sigma = a quarter
of the side, :func:`sspl.evaluation.functional.center_prior_map`) for every
sample, whatever the audio; a localizer that has learnt something beats it.
It is scored by the config's own evaluator, on the same samples and ground
truth as ``tools/test.py``.

    python tools/analysis/center_prior.py configs/sspl_w_pcm_synthetic.py [--split test|val]
"""
import argparse
import json

import torch

from mmengine.config import Config
from mmengine.evaluator import Evaluator

from sspl.evaluation.functional import center_prior_map
from sspl.registry import DATASETS
from sspl.utils import register_all_modules


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('--split', choices=['test', 'val'], default='test',
                        help='which dataloader of the config to score')
    parser.add_argument('--map-size', type=int, nargs=2, default=(14, 14),
                        help='resolution of the prior map (that of the localizer)')
    parser.add_argument('--out', help='write the metrics as JSON here')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    dataset = DATASETS.build(cfg[f'{args.split}_dataloader']['dataset'])
    evaluator = Evaluator(cfg[f'{args.split}_evaluator'])
    prior = torch.from_numpy(center_prior_map(tuple(args.map_size)))
    for index in range(len(dataset)):
        data_sample = dataset[index]['data_samples']
        data_sample.set_field(prior, 'pred_sim_map')
        evaluator.process([data_sample])
    metrics = evaluator.evaluate(len(dataset))
    print(f'centre prior on the {args.split} split of {args.config} ({len(dataset)} samples):')
    print('  ' + '  '.join(f'{key}: {value:.4f}' for key, value in metrics.items()))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(metrics, f, indent=2)
    return metrics


if __name__ == '__main__':
    main()
