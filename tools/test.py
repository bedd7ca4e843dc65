#!/usr/bin/env python
"""Evaluate a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [--show-dir DIR]``.

A model without weights (``configs/baselines/``) needs no checkpoint:
``python tools/test.py configs/baselines/center_prior_flickr.py``."""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from sspl.apis.model import load_localizer_checkpoint
from sspl.apis.test_options import with_negative_audio
from sspl.datasets.negative_audio import PROBE_KINDS
from sspl.engine.compat import install_safe_checkpoint_loader, setup_distributed
from sspl.engine.rank_watchdog import rank_loss_errors
from sspl.utils import register_all_modules
from sspl.utils.config_validation import validate_config


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (evaluate) a sound source localizer')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', nargs='?',
                        help='checkpoint file (not needed for a model without weights)')
    parser.add_argument('--work-dir', help='the dir to save logs and per-sample results')
    parser.add_argument('--show-dir', help='write heatmap overlays of every test sample here '
                        '(relative to the work dir unless absolute)')
    parser.add_argument(
        '--negative-audio', nargs='*', choices=PROBE_KINDS, metavar='KIND',
        help='also give each test frame negative audio (silence, noise, offscreen: another '
        "clip's, of another class where labels exist; default all three) and report pIA / "
        "AOC per kind next to the positive figures (the metric's negative_audio protocol, "
        "on the method's score_range)")
    parser.add_argument(
        '--swap-audio', action='store_true',
        help="the audio-swap check: each test clip with another clip's audio (of another "
        'class where labels exist) instead of its own, scored as usual')
    parser.add_argument('--probe-seed', type=int, default=0,
                        help='seed of the probes (partners, noise), per sample with it')
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
    if getattr(args, 'negative_audio', None) is not None and getattr(args, 'swap_audio', False):
        raise SystemExit('--negative-audio and --swap-audio are two runs: give one of them')
    if getattr(args, 'negative_audio', None) is not None:
        cfg = with_negative_audio(cfg, args.negative_audio or PROBE_KINDS, args.probe_seed)
    if getattr(args, 'swap_audio', False):
        cfg = with_negative_audio(cfg, ['offscreen'], args.probe_seed, mode='replace')
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
    install_safe_checkpoint_loader()  # every load of the runner: weights_only
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args)
    validate_config(cfg, args.config)
    setup_distributed(cfg, args.launcher)
    runner = Runner.from_cfg(cfg)
    model = runner.model.module if is_model_wrapper(runner.model) else runner.model
    if args.checkpoint is not None:
        load_localizer_checkpoint(model, args.checkpoint)
        # named in the per-sample results (PerSampleResultsHook's run_info)
        runner.message_hub.update_info('checkpoint', osp.abspath(args.checkpoint))
    elif model.state_dict():
        raise SystemExit(f'{args.config}: the {type(model).__name__} model has weights; give '
                         'the CHECKPOINT to evaluate')
    with rank_loss_errors():  # a lost rank of a distributed run: an error naming it
        metrics = runner.test()
    if runner.rank == 0:
        print_summary(runner, metrics, args)
    return metrics


def print_summary(runner, metrics: dict, args) -> None:
    """The figures and where the outputs went, after mmengine's log lines."""
    protocol = next((getattr(metric, 'protocol', None) for metric in runner.test_evaluator.metrics
                     if hasattr(metric, 'protocol')), None)
    model = runner.model.module if is_model_wrapper(runner.model) else runner.model
    tested = args.checkpoint or f'{type(model).__name__} (no weights)'
    print(f'\nTest results of {tested}'
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
