#!/usr/bin/env python
"""Score the centre-prior baseline on a config's evaluation split.

The baseline (:class:`sspl.models.CenterPriorLocalizer`) predicts the same
fixed, centred Gaussian map for every sample, whatever the audio; a localizer
that has learnt something beats it. It runs through the test loop of the
config's own data and evaluator (the samples and ground truth of
``tools/test.py``), at the resolution of the config's model's map (measured
on one sample) unless ``--map-size`` says otherwise.

    python tools/analysis/center_prior.py configs/sspl_w_pcm_synthetic.py [--split test|val]

(The configs of ``configs/baselines/`` do the same through
``python tools/test.py configs/baselines/center_prior_<benchmark>.py``.)
"""
import argparse
import copy
import json
import os.path as osp
import shutil
import tempfile
import uuid


from mmengine.config import Config
from mmengine.runner import Runner

from sspl.utils import register_all_modules


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('--split', choices=['test', 'val'], default='test',
                        help='which dataloader of the config to score')
    parser.add_argument('--map-size', type=int, nargs=2, metavar=('H', 'W'),
                        help='resolution of the prior map (default: that of the config\'s '
                        'model, measured on one sample)')
    parser.add_argument('--sigma', type=float, default=0.25,
                        help='standard deviation, a fraction of the map side')
    parser.add_argument('--work-dir', help='logs and per-sample results (default: a '
                        'temporary folder, removed at exit)')
    parser.add_argument('--out', help='write the metrics as JSON here')
    return parser.parse_args(argv)


def model_map_size(cfg, split: str) -> tuple:
    """``(h, w)`` of the map the config's model predicts for one sample of
    ``split`` (random weights: the size does not depend on them)."""
    from mmengine.dataset import pseudo_collate

    from sspl.apis.model import without_pretrained_weights
    from sspl.registry import DATASETS, MODELS
    if cfg.model.get('type') == 'CenterPriorLocalizer':
        return tuple(cfg.model.get('map_size', (14, 14)))
    model = MODELS.build(without_pretrained_weights(cfg.model))
    model.init_weights()
    model.eval()
    dataset = DATASETS.build(cfg[f'{split}_dataloader']['dataset'])
    data_sample = model.test_step(pseudo_collate([dataset[0]]))[0]
    return tuple(data_sample.pred_sim_map.shape)


def prior_config(cfg, split: str, map_size, sigma: float, work_dir: str):
    """``cfg`` with the centre prior as its model, ``split`` as its test
    split and nothing to train or validate."""
    prior = copy.deepcopy(cfg)
    prior.model = dict(type='CenterPriorLocalizer', map_size=tuple(map_size), sigma=sigma)
    prior.test_dataloader = cfg[f'{split}_dataloader']
    prior.test_evaluator = cfg[f'{split}_evaluator']
    prior.test_cfg = dict(type='TestLoop')
    for key in ('train_dataloader', 'train_cfg', 'optim_wrapper', 'param_scheduler',
                'val_dataloader', 'val_cfg', 'val_evaluator'):
        prior[key] = None
    prior.load_from, prior.resume, prior.work_dir = None, False, work_dir
    if prior.get('visualizer'):  # one visualizer instance per name and process
        prior.visualizer = dict(prior.visualizer, name=f'center_prior_{uuid.uuid4().hex[:8]}')
    return prior


def main(argv=None) -> dict:
    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    map_size = tuple(args.map_size) if args.map_size else model_map_size(cfg, args.split)
    work_dir = args.work_dir or tempfile.mkdtemp(prefix='sspl_center_prior_')
    try:
        runner = Runner.from_cfg(prior_config(cfg, args.split, map_size, args.sigma, work_dir))
        metrics = runner.test()
        num_samples = len(runner.test_dataloader.dataset)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work_dir, ignore_errors=True)
    print(f'centre prior ({map_size[0]} x {map_size[1]}, sigma {args.sigma:g}) on the '
          f'{args.split} split of {args.config} ({num_samples} samples):')
    print('  ' + '  '.join(f'{key}: {value:.4f}' for key, value in metrics.items()
                           if isinstance(value, float)))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(metrics, f, indent=2)
    return metrics


if __name__ == '__main__':
    main()
