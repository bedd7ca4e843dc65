#!/usr/bin/env python
"""Plot the training loss and the validation cIoU / AUC of a run.

    python tools/analysis/analyze_logs.py WORK_DIR [--out curves.png]
    python tools/analysis/analyze_logs.py WORK_DIR/20250101_120000/vis_data/scalars.json

Reads mmengine's ``vis_data/scalars.json`` (one JSON object per line, written by
``LoggerHook`` through ``LocalVisBackend``). Given a work dir, the latest run
(timestamp folder) that has one is used, or ``--run TIMESTAMP``. Training lines
(those with ``loss``) are plotted against the iteration, validation lines
(those with a validation key) against their step (the epoch, or the iteration
for iteration-based training). Writes a PNG (matplotlib, Agg backend).
"""
import argparse
import glob
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

DEFAULT_VAL_KEYS = ('cIoU', 'AUC', 'mean_cIoU', 'cIoU_median', 'AUC_median', 'mean_cIoU_median',
                    'cIoU_fixed', 'AUC_fixed', 'mean_cIoU_fixed', 'pointing_game')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Plot training loss and validation cIoU/AUC')
    parser.add_argument('path', help='work dir, run dir (work_dir/<timestamp>) or scalars.json')
    parser.add_argument('--run', help='timestamp folder to read (default: the latest)')
    parser.add_argument('--out', help='output PNG (default: <run dir>/curves.png)')
    parser.add_argument('--train-keys', nargs='+', default=['loss'],
                        help='training scalars to plot against the iteration')
    parser.add_argument('--val-keys', nargs='+', default=list(DEFAULT_VAL_KEYS),
                        help='validation scalars to plot (those absent are skipped)')
    parser.add_argument('--title', help='figure title (default: the run dir)')
    return parser.parse_args(argv)


def find_scalars(path: str, run: Optional[str] = None) -> str:
    """The ``scalars.json`` of ``path`` (a file, a run dir or a work dir)."""
    if osp.isfile(path):
        return path
    if not osp.isdir(path):
        raise FileNotFoundError(f'{path}: no such file or directory')
    direct = osp.join(path, 'vis_data', 'scalars.json')
    if run is None and osp.isfile(direct):
        return direct
    pattern = osp.join(path, run or '*', 'vis_data', 'scalars.json')
    candidates = sorted(glob.glob(pattern))
    if not candidates:
        expected = osp.join(run or '<timestamp>', 'vis_data', 'scalars.json')
        raise FileNotFoundError(f'{path}: no {expected} (was the run logged with '
                                'LocalVisBackend?)')
    return candidates[-1]  # timestamps sort chronologically


def read_scalars(path: str, train_keys: Sequence[str], val_keys: Sequence[str]
                 ) -> Tuple[Dict[str, List[Tuple[float, float]]],
                            Dict[str, List[Tuple[float, float]]]]:
    """``(train, val)``: per key, the ``(step, value)`` points of the file."""
    train = {key: [] for key in train_keys}
    val = {key: [] for key in val_keys}
    with open(path) as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f'{path}, line {number}: not JSON ({exc})') from exc
            step = record.get('step', record.get('iter', number))
            if any(key in record for key in val_keys) and 'loss' not in record:
                for key in val_keys:
                    if key in record:
                        val[key].append((step, float(record[key])))
            else:
                for key in train_keys:
                    if key in record:
                        train[key].append((record.get('iter', step), float(record[key])))
    return ({k: v for k, v in train.items() if v}, {k: v for k, v in val.items() if v})


def plot(train: Dict[str, list], val: Dict[str, list], out: str, title: str = '') -> str:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    if not train and not val:
        raise ValueError('nothing to plot: no training loss and no validation metric found')
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for key, points in train.items():
        steps, values = zip(*points)
        axes[0].plot(steps, values, label=key)
    axes[0].set_xlabel('iteration')
    axes[0].set_title('training')
    for key, points in val.items():
        steps, values = zip(*points)
        axes[1].plot(steps, values, marker='o', label=key,
                     linestyle='--' if key.endswith(('_median', '_fixed')) else '-')
    axes[1].set_xlabel('epoch (validation step)')
    axes[1].set_title('validation')
    for axis in axes:
        if axis.lines:
            axis.legend()
        else:
            axis.text(0.5, 0.5, 'no data', ha='center', va='center', transform=axis.transAxes)
        axis.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def main(argv=None) -> str:
    args = parse_args(argv)
    scalars = find_scalars(args.path, args.run)
    run_dir = osp.dirname(osp.dirname(osp.abspath(scalars)))
    train, val = read_scalars(scalars, args.train_keys, args.val_keys)
    out = args.out or osp.join(run_dir, 'curves.png')
    plot(train, val, out, args.title if args.title is not None else run_dir)
    summary = ', '.join(f'{k}: {len(v)} points' for k, v in {**train, **val}.items())
    print(f'{scalars} ({summary}) -> {out}')
    return out


if __name__ == '__main__':
    main()
