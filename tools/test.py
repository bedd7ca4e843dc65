#!/usr/bin/env python
"""Evaluate a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [--show-dir DIR]``."""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..')))

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.model import is_model_wrapper  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from sspl.apis.model import load_localizer_checkpoint  # noqa: E402
from sspl.engine.rank_watchdog import rank_loss_errors  # noqa: E402
from sspl.utils import register_all_modules, setup_distributed  # noqa: E402
from sspl.utils.config_validation import validate_config  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (evaluate) a sound source localizer')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save logs and per-sample results')
    parser.add_argument('--show-dir', help='write heatmap overlays of every test sample here '
                        '(relative to the work dir unless absolute)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, e.g. test_dataloader.batch_size=4')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg: Config, args) -> Config:
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    # Loaded strictly in main() on every rank: mmengine's load_from tolerates
    # missing and unexpected keys, which would evaluate a partly random model.
    cfg.load_from = None
    cfg.resume = False
    if args.show_dir is not None:
        # (assigned back: Config.setdefault would hand back a detached copy)
        hooks = dict(cfg.get('default_hooks') or {})
        visualization = dict(hooks.get('visualization') or
                             dict(type='LocalizationVisualizationHook'))
        visualization.update(enable=True, test_out_dir=args.show_dir)
        hooks['visualization'] = visualization
        cfg.default_hooks = hooks
    return cfg


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args)
    validate_config(cfg, args.config)
    setup_distributed(cfg, args.launcher)
    runner = Runner.from_cfg(cfg)
    model = runner.model.module if is_model_wrapper(runner.model) else runner.model
    load_localizer_checkpoint(model, args.checkpoint)
    with rank_loss_errors():  # a lost rank of a distributed run: an error naming it
        metrics = runner.test()
    if runner.rank == 0:
        print_summary(runner, metrics, args)
    return metrics


def print_summary(runner, metrics: dict, args) -> None:
    """The figures and where the outputs went, after mmengine's log lines."""
    protocol = next((getattr(metric, 'protocol', None) for metric in runner.test_evaluator.metrics
                     if hasattr(metric, 'protocol')), None)
    print(f'\nTest results of {args.checkpoint}'
          + (f' ({protocol} threshold protocol)' if protocol else '') + ':')
    print('  ' + '  '.join(f'{key}: {value:.4f}' for key, value in metrics.items()
                           if isinstance(value, float)))
    per_sample = [getattr(metric, 'out_file', None) for metric in runner.test_evaluator.metrics]
    for path in filter(None, per_sample):
        print(f'  per-sample results: {path}')
    if args.show_dir is not None:
        show_dir = args.show_dir if osp.isabs(args.show_dir) else osp.join(runner.work_dir,
                                                                           args.show_dir)
        print(f'  heatmap overlays: {show_dir}')


if __name__ == '__main__':
    main()
