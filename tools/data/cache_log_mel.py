#!/usr/bin/env python
"""Precompute the VGGish log-mel examples of every clip of a dataset split
(an optional cache; it is not the cache of VGGish embeddings).

For each sample with an ``audio_path`` it writes
``<data_root>/<prefix>/<id>.npy``: ``(3, 96, 64)`` float32, exactly what
``LoadAudio`` + ``VGGishLogMel`` compute at load time. Existing files are kept
(written to a temporary name, then renamed), so an interrupted run resumes.
Clips whose audio cannot be read are listed in a report instead of stopping
the run.

    python tools/data/cache_log_mel.py configs/sspl_w_pcm.py --split train --nproc 8

Then train with ``data_prefix=dict(log_mel='log_mel')`` on the dataset and
``LoadCachedLogMel`` in place of ``LoadAudio`` + ``VGGishLogMel`` in its
pipeline (see docs/dataset_preparation.md).
"""
import argparse
import os
import os.path as osp
from functools import partial
from typing import List

import numpy as np
from mmengine.config import DictAction

from sspl.datasets.preparation import prep_runner
from sspl.datasets.preparation.prep_runner import Job, SampleResult
from sspl.utils.atomic_io import atomic_output_path


def cache_chunk(options: dict, job: Job) -> List[SampleResult]:
    """Write the cache files of ``job.targets`` (``sample_id``, ``audio_path``,
    ``log_mel_path``); one unreadable clip does not stop the others."""
    from sspl.datasets.transforms import LoadAudio, VGGishLogMel
    load_audio = LoadAudio(sample_rate=options['sample_rate'], duration=options['duration'])
    log_mel = VGGishLogMel()
    results = []
    for target in job.targets:
        path = target['log_mel_path']
        if osp.isfile(path):
            results.append(SampleResult(target['sample_id'], 'existing', target['audio_path']))
            continue
        if not osp.isfile(target['audio_path']):
            results.append(SampleResult(target['sample_id'], 'missing', target['audio_path'],
                                        f"{target['audio_path']}: no such file"))
            continue
        try:
            examples = log_mel(load_audio(dict(audio_path=target['audio_path'])))['log_mel']
        except Exception as exc:
            results.append(SampleResult(target['sample_id'], 'corrupt', target['audio_path'],
                                        f"{target['audio_path']}: {type(exc).__name__}: {exc}"))
            continue
        with atomic_output_path(path, suffix='.npy') as tmp:
            np.save(tmp, examples[:, 0].astype(np.float32))
        results.append(SampleResult(target['sample_id'], 'ok', target['audio_path']))
    return results


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Write a per-clip VGGish log-mel cache',
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config', help='config whose <split>_dataloader.dataset to cache')
    parser.add_argument('--split', default='train', choices=['train', 'val', 'test'])
    parser.add_argument('--prefix', default='log_mel',
                        help="cache folder, relative to the dataset's data_root")
    parser.add_argument('--nproc', type=int, default=max(1, (os.cpu_count() or 2) // 2))
    parser.add_argument('--chunk', type=int, default=64, help='clips per job')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='config overrides, key=value (as tools/train.py)')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    from mmengine.config import Config
    from sspl.registry import DATASETS
    from sspl.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    dataset_cfg = cfg[f'{args.split}_dataloader']['dataset'].copy()
    load_cfg = next((step for step in dataset_cfg.get('pipeline') or []
                     if step.get('type') == 'LoadAudio'), {})
    dataset_cfg['pipeline'] = []
    dataset_cfg['data_prefix'] = dict(dataset_cfg.get('data_prefix') or {}, log_mel=args.prefix)
    dataset = DATASETS.build(dataset_cfg)
    targets = []
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        if info.get('audio_path') and info.get('log_mel_path'):
            targets.append(dict(sample_id=info['sample_id'], audio_path=info['audio_path'],
                                log_mel_path=info['log_mel_path']))
    if not targets:
        raise SystemExit(f'{args.config}: the {args.split} dataset has no audio files to cache '
                         '(h5 packs carry their log-mel already)')
    options = dict(sample_rate=load_cfg.get('sample_rate', 16000),
                   duration=load_cfg.get('duration', 3.0))
    jobs = [Job(targets[i]['audio_path'], targets[i:i + args.chunk])
            for i in range(0, len(targets), args.chunk)]
    cache_dir = dataset.data_prefix['log_mel']
    print(f'{len(targets)} clips -> {cache_dir} ({args.nproc} processes)')
    results = prep_runner.run_jobs(partial(cache_chunk, options), jobs, args.nproc)
    return prep_runner.write_report(osp.join(cache_dir, f'cache_{args.split}_report.json'),
                                    results)


if __name__ == '__main__':
    main()
