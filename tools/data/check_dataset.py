#!/usr/bin/env python
"""Check a prepared dataset before training or testing on it.

Builds the dataset(s) of a config and loads every sample's files::

    python tools/data/check_dataset.py CONFIG [--split train val test] [--workers 8]

Per sample: every frame decodes (missing, truncated, corrupt, unsupported
formats), the audio decodes, holds finite samples and is long enough (files
shorter than ``--min-audio-seconds`` are tiled by ``LoadAudio``: a warning),
silent audio (a constant input: a warning), boxes are valid and inside the
decoded frame (see :mod:`sspl.datasets.validation`). Building the dataset
checks the annotation itself (missing boxes, malformed or non-finite boxes,
listed ids without annotation). ``--run-pipeline`` also runs the split's full
pipeline on every sample.

Prints a summary table per split and every problem (``ERROR``/``WARNING``,
the file and the problem). Exit status 1 if any error was found (or any
warning, with ``--strict``), else 0.
"""
import argparse
import multiprocessing
import sys
from typing import List, Optional, Tuple

import numpy as np
from mmengine.config import Config, DictAction

from sspl.datasets.validation import (ERROR, WARNING, DataLoadError, Issue,
                                      box_issues, boxes_per_view)

SPLITS = ('train', 'val', 'test')

# The dataset being checked, set before the worker processes fork.
_DATASET = None
_OPTIONS = None


def _audio_settings(dataset) -> Tuple[int, float]:
    """``(sample_rate, duration)`` of the dataset's ``LoadAudio`` (16 kHz, 3 s if none)."""
    from sspl.datasets.transforms import LoadAudio
    for transform in getattr(dataset.pipeline, 'transforms', []):
        if isinstance(transform, LoadAudio):
            return transform.sample_rate, transform.duration
    return 16000, 3.0


def check_sample(index: int) -> Tuple[dict, List[Issue]]:
    """Load one sample's files; returns counts and issues."""
    from sspl.datasets.transforms.loading import load_frame, load_waveform
    dataset, options = _DATASET, _OPTIONS
    issues: List[Issue] = []
    counts = dict(frames=0, frame_errors=0, audio=0, audio_errors=0)
    info = dataset.get_data_info(index)
    sample_id = str(info.get('sample_id', f'#{index}'))

    shapes: List[Optional[Tuple[int, int]]] = []
    if info.get('img') is not None:
        images = info['img'] if isinstance(info['img'], list) else [info['img']]
        shapes = [tuple(np.asarray(img).shape[:2]) for img in images]
    elif info.get('frame_path') is not None:
        paths = info['frame_path'] if isinstance(info['frame_path'], (list, tuple)) \
            else [info['frame_path']]
        for path in paths:
            try:
                shapes.append(load_frame(path).shape[:2])
                counts['frames'] += 1
            except DataLoadError as exc:
                issues.append(Issue(ERROR, path, str(exc).replace(f'{path}: ', '', 1)))
                counts['frame_errors'] += 1
                shapes.append(None)

    if info.get('waveform') is None and info.get('audio_path') is not None:
        path = info['audio_path']
        sample_rate, duration = options['audio']
        try:
            waveform = load_waveform(path, sample_rate)
            counts['audio'] += 1
            seconds = waveform.size / sample_rate
            if seconds < options['min_audio_seconds']:
                issues.append(Issue(WARNING, path, f'audio is {seconds:.2f} s long, shorter than '
                                                   f"{options['min_audio_seconds']} s: it is "
                                                   f'tiled to fill the {duration:g} s window'))
            if float(waveform.max() - waveform.min()) == 0.0:
                issues.append(Issue(WARNING, path, 'audio is silent (constant): the model '
                                                   'input is a constant -1'))
        except DataLoadError as exc:
            issues.append(Issue(ERROR, path, str(exc).replace(f'{path}: ', '', 1)))
            counts['audio_errors'] += 1

    boxes = info.get('gt_bboxes')
    if boxes is not None:
        for view, view_boxes in enumerate(boxes_per_view(boxes)):
            shape = shapes[view] if view < len(shapes) else (shapes[0] if shapes else None)
            where = f'{dataset.source}:{sample_id}' + (f' (view {view})' if view else '')
            issues.extend(Issue(severity, where, problem)
                          for severity, problem in box_issues(view_boxes, shape))

    if options['run_pipeline'] and not any(issue.severity == ERROR for issue in issues):
        try:
            # a fixed sample key: random transforms draw reproducibly (epoch 0, seed 0)
            dataset.pipeline(dict(dataset.get_data_info(index), sample_key=(0, 0, index)))
        except Exception as exc:  # noqa: BLE001  (reported, not raised)
            issues.append(Issue(ERROR, f'{dataset.source}:{sample_id}',
                                f'pipeline failed: {type(exc).__name__}: {exc}'))
    return counts, issues


def check_split(cfg: Config, split: str, args) -> Optional[Tuple[dict, List[Issue]]]:
    """Build the split's dataset and check every sample; None if the config has no such split."""
    global _DATASET, _OPTIONS
    from sspl.registry import DATASETS
    loader = cfg.get(f'{split}_dataloader')
    if not loader or not loader.get('dataset'):
        return None
    summary = dict(samples=0, frames=0, frame_errors=0, audio=0, audio_errors=0)
    try:
        dataset = DATASETS.build(loader['dataset'])
        dataset.full_init()
    except Exception as exc:  # noqa: BLE001  (reported, not raised)
        return summary, [Issue(ERROR, f'{split} dataset', f'cannot be built: '
                                                          f'{type(exc).__name__}: {exc}')]
    indices = range(len(dataset) if args.limit is None else min(args.limit, len(dataset)))
    summary['samples'] = len(indices)
    _DATASET = dataset
    _OPTIONS = dict(audio=_audio_settings(dataset), min_audio_seconds=args.min_audio_seconds,
                    run_pipeline=args.run_pipeline)
    issues: List[Issue] = []
    if args.workers > 1 and len(indices) > 1:
        with multiprocessing.get_context('fork').Pool(args.workers) as pool:
            results = list(pool.imap(check_sample, indices, chunksize=16))
    else:
        results = [check_sample(index) for index in indices]
    for counts, sample_issues in results:
        for key, value in counts.items():
            summary[key] += value
        issues.extend(sample_issues)
    return summary, issues


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Check every file and annotation of a '
                                                 'prepared dataset')
    parser.add_argument('config', help='config whose dataloaders name the dataset')
    parser.add_argument('--split', nargs='+', choices=SPLITS, default=list(SPLITS),
                        help='splits to check (default: every split the config has)')
    parser.add_argument('--workers', type=int, default=1, help='processes that load files')
    parser.add_argument('--limit', type=int, default=None, help='check the first N samples only')
    parser.add_argument('--min-audio-seconds', type=float, default=1.0,
                        help='warn about audio shorter than this (default 1 s)')
    parser.add_argument('--run-pipeline', action='store_true',
                        help="also run each split's full pipeline on every sample")
    parser.add_argument('--strict', action='store_true', help='exit 1 on warnings too')
    parser.add_argument('--max-listed', type=int, default=100,
                        help='list at most this many problems per split')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from sspl.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)

    rows, failed = [], False
    for split in args.split:
        result = check_split(cfg, split, args)
        if result is None:
            continue
        summary, issues = result
        errors = [issue for issue in issues if issue.severity == ERROR]
        warnings = [issue for issue in issues if issue.severity == WARNING]
        failed = failed or bool(errors) or (args.strict and bool(warnings))
        rows.append((split, summary, len(errors), len(warnings)))
        print(f'== {split}: {len(errors)} error(s), {len(warnings)} warning(s)')
        for issue in (errors + warnings)[:args.max_listed]:
            print(f'  {issue}')
        if len(issues) > args.max_listed:
            print(f'  ... and {len(issues) - args.max_listed} more (--max-listed)')

    header = ('split', 'samples', 'frames ok', 'frame errors', 'audio ok', 'audio errors',
              'errors', 'warnings')
    table = [header] + [(split, s['samples'], s['frames'], s['frame_errors'], s['audio'],
                         s['audio_errors'], n_errors, n_warnings)
                        for split, s, n_errors, n_warnings in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    print('\nSummary of ' + args.config)
    for row in table:
        print('  ' + '  '.join(str(value).rjust(width) for value, width in zip(row, widths)))
    if not rows:
        print('  (the config has none of the splits ' + ', '.join(args.split) + ')')
        return 1
    print('FAILED: fix the errors above (see docs/troubleshooting.md)' if failed else 'OK')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
