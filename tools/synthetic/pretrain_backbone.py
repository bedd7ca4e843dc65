#!/usr/bin/env python
"""Pretrain the visual backbone of a synthetic config on the synthetic object
classes: the stand-in for ImageNet pretraining on the built-in dataset
(:mod:`sspl.apis.synthetic_backbone` says how and why).

``tools/train.py`` on a synthetic config does this by itself on first use
(``SyntheticBackboneHook``); this command does it up front, or again with
``--force``. It writes the file ``model.<backbone>.pretrained`` names.

    python tools/synthetic/pretrain_backbone.py configs/sspl_w_pcm_synthetic.py
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction
from mmengine.logging import MMLogger

from sspl.apis.synthetic_backbone import pretrain_synthetic_backbone, pretrained_path, recipe_options
from sspl.utils import register_all_modules


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='a synthetic config (its visual backbone is trained)')
    parser.add_argument('--backbone', default='visual_backbone',
                        help='the entry of the model config to pretrain')
    parser.add_argument('--out', help="output weights (default: the config's "
                        'model.<backbone>.pretrained)')
    parser.add_argument('--num-clips', type=int, default=None,
                        help='clips of the pretrain split (two frames each)')
    parser.add_argument('--epochs', type=int, default=None)
    parser.add_argument('--batch-size', type=int, default=None)
    parser.add_argument('--lr', type=float, default=None)
    parser.add_argument('--seed', type=int, default=None)
    parser.add_argument('--background-energy', type=float,
                        default=None,
                        help='weight of the penalty on feature energy at background positions')
    parser.add_argument('--force', action='store_true', help='retrain even if --out exists')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config (as for tools/train.py)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    try:
        out = args.out or pretrained_path(cfg, args.backbone)
    except ValueError as exc:
        raise SystemExit(f'{exc} (--backbone names the visual backbone to pretrain)')
    if out is None:
        print(f'{args.config}: model.{args.backbone}.pretrained names no weights file '
              '(random or torchvision ImageNet weights): nothing to pretrain')
        return 0
    if osp.exists(out) and not args.force:
        print(f'{out} exists: nothing to do (use --force to retrain)')
        return 0
    # The log lines to the console and beside the weights (mmengine writes its
    # per-parameter initialisation report to the current logger's file).
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    MMLogger.get_instance('sspl_pretrain_backbone', log_file=osp.splitext(out)[0] + '.log')
    # the config's recipe (its SyntheticBackboneHook's pretrain_options), each
    # option given here overriding it
    options = recipe_options(cfg)
    for key in options:
        if getattr(args, key) is not None:
            options[key] = getattr(args, key)
    result = pretrain_synthetic_backbone(cfg, out, args.backbone, **options)
    print(f"wrote {out} (per-position accuracy {result['accuracy']:.3f})")
    return 0


if __name__ == '__main__':
    sys.exit(main())
