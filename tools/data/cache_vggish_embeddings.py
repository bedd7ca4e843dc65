#!/usr/bin/env python
"""Precompute the VGGish embedding cache of a config's datasets.

    python tools/data/cache_vggish_embeddings.py CONFIG [--splits train val test]
        [--device cuda] [--batch-size 64] [--num-workers 4] [--clean]

Every dataloader of the config whose pipeline has a ``LoadVGGishEmbedding``
gets each of its clips embedded once (log-mel in the data workers, VGGish
batched on ``--device``) and stored in that transform's ``cache_dir``; clips
already cached are skipped, so the tool resumes where it stopped. ``--clean``
removes the cache folders of other VGGish weights or audio pre-processing
(stale entries are never read, only their disk space is lost).
"""
import argparse
import glob
import os.path as osp
import shutil

import torch
from mmengine.config import Config, DictAction

from sspl.datasets.transforms.embedding_cache import (find_cache_transform,
                                                      fill_embedding_cache)
from sspl.registry import DATASETS, TRANSFORMS
from sspl.utils import register_all_modules

SPLITS = {'train': 'train_dataloader', 'val': 'val_dataloader', 'test': 'test_dataloader'}
# Transforms before the cache transform that only concern the frames.
FRAME_ONLY = ('LoadFrame',)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Precompute cached VGGish embeddings')
    parser.add_argument('config', help='config whose pipelines use LoadVGGishEmbedding')
    parser.add_argument('--splits', nargs='+', default=list(SPLITS), choices=list(SPLITS))
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--batch-size', type=int, default=32, help='clips per VGGish call')
    parser.add_argument('--num-workers', type=int, default=2,
                        help='data workers loading audio and computing log-mel')
    parser.add_argument('--clean', action='store_true',
                        help='remove cache folders of other weights / pre-processing')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config')
    return parser.parse_args(argv)


def build_audio_dataset(dataloader_cfg):
    """The dataloader's dataset with the pipeline cut before the cache
    transform (and without frame loading), and the cache transform."""
    dataset_cfg = dict(dataloader_cfg['dataset'])
    pipeline = list(dataset_cfg.get('pipeline') or [])
    found = find_cache_transform(pipeline)
    if found is None:
        return None, None
    index, transform_cfg = found
    prefix = [t for t in pipeline[:index] if t.get('type') not in FRAME_ONLY]
    dataset_cfg['pipeline'] = prefix
    transform = TRANSFORMS.build(transform_cfg)
    return DATASETS.build(dataset_cfg), transform.cache


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    keep = {}
    for split in args.splits:
        dataloader_cfg = cfg.get(SPLITS[split])
        if not dataloader_cfg:
            print(f'{split}: no {SPLITS[split]} in the config, skipped')
            continue
        dataset, cache = build_audio_dataset(dataloader_cfg)
        if dataset is None:
            print(f'{split}: the pipeline has no LoadVGGishEmbedding, skipped')
            continue
        print(f'{split}: {len(dataset)} clips -> {cache.key_dir}')
        seen, computed = fill_embedding_cache(dataset, cache, args.device, args.batch_size,
                                              args.num_workers, log_every=50)
        print(f'{split}: {seen} clips, {computed} embedded now, {seen - computed} already cached')
        keep.setdefault(cache.cache_dir, set()).add(cache.key)
    if args.clean:
        for cache_dir, keys in keep.items():
            for entry in sorted(glob.glob(osp.join(cache_dir, '*', 'meta.json'))):
                folder = osp.dirname(entry)
                if osp.basename(folder) not in keys:
                    print(f'removing stale cache folder {folder}')
                    shutil.rmtree(folder)


if __name__ == '__main__':
    main()
