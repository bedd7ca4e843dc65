#!/usr/bin/env python
"""Train a localizer: ``python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]]``."""
import argparse
import os
import os.path as osp

import torch
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from sspl.engine.compat import (install_safe_checkpoint_loader, resolve_auto_resume,
                                setup_distributed)
from sspl.engine.optimizers import amp_optim_wrapper_cfg
from sspl.engine.rank_watchdog import rank_loss_errors
from sspl.utils import register_all_modules
from sspl.utils.config_validation import validate_config


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a sound source localizer')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and checkpoints '
                        '(default: ./work_dirs/<config name>)')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from the given checkpoint; with no value, from the latest '
        'checkpoint in the work dir')
    parser.add_argument('--amp', action='store_true',
                        help='mixed precision: bf16 autocast where the device supports it '
                        '(CPU, Ampere+ GPUs), else fp16 with dynamic loss scaling')
    parser.add_argument('--no-validate', action='store_true',
                        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, e.g. train_cfg.max_epochs=5')
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
    if args.amp:
        cfg.optim_wrapper = amp_optim_wrapper_cfg(cfg.optim_wrapper)
    if torch.cuda.is_available():  # page-locked batches: faster, asynchronous copies to the GPU
        for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            if cfg.get(key):
                cfg[key].setdefault('pin_memory', True)
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    return cfg


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    install_safe_checkpoint_loader()  # every load of the runner: weights_only
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args)
    validate_config(cfg, args.config)
    resolve_auto_resume(cfg)
    setup_distributed(cfg, args.launcher)
    runner = Runner.from_cfg(cfg)
    with rank_loss_errors():  # a lost rank of a distributed run: an error naming it
        runner.train()


if __name__ == '__main__':
    main()
