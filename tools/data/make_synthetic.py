#!/usr/bin/env python
"""Generate the built-in synthetic dataset of a config (train, val and test
splits) into its ``data_root``.

The datasets also generate themselves on first use; this tool does it up front
(once, before several runs or ``dist_train.sh`` processes read it) and prints
where the files went.

    python tools/data/make_synthetic.py configs/sspl_w_pcm_synthetic.py
"""
import argparse
import os.path as osp
import sys

from mmengine.config import Config, DictAction

from sspl.registry import DATASETS
from sspl.utils import register_all_modules


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='a config whose dataloaders use SyntheticAVDataset')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config (as for tools/train.py)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    written = 0
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = (cfg.get(loader) or {}).get('dataset') or {}
        if dataset.get('type') != 'SyntheticAVDataset':
            continue
        # The dataset writes its split on first use (with its own defaults).
        built = DATASETS.build(dict(dataset, pipeline=[]))
        annotation = osp.join(built.data_root, 'annotations',
                              f"{getattr(built, 'base_split', built.split)}.json")
        print(f"{loader}: {len(built)} clips of split '{built.split}' in {built.data_root} "
              f'({annotation})')
        written += 1
    if not written:
        print(f'{args.config}: no dataloader uses SyntheticAVDataset', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
