#!/usr/bin/env python
"""One table of several test runs (methods x checkpoints x test sets) with
every protocol's figures, from the per-sample result files ``tools/test.py``
writes (``<work_dir>/<timestamp>/per_sample/test.json``), and the curves a
reader would rather look at: success rate against the IoU threshold (its area
is AUC) and the extended protocol's precision-recall curves (its area is AP).

    python tools/analysis/leaderboard.py work_dirs/run_a work_dirs/run_b/.../test.json \\
        --out-dir docs/leaderboard [--label work_dirs/run_a=SSPL] [--columns '*/cIoU' '*/AUC']

Writes ``<out-dir>/<name>.md`` and ``.csv`` (figures are fractions in [0, 1])
and ``<name>_success_rate.png``, ``<name>_precision_recall.png`` (when a run
has negatives). A folder is searched for ``**/per_sample/test.json``.
"""
import argparse
import os
import os.path as osp

from sspl.evaluation.leaderboard import build_leaderboard, to_csv, to_markdown
from sspl.utils.atomic_io import atomic_write_text


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('results', nargs='+',
                        help='per-sample result files, or folders searched for them')
    parser.add_argument('--out-dir', default='leaderboard', help='where the table and plots go')
    parser.add_argument('--name', default='leaderboard', help='file name stem of the outputs')
    parser.add_argument('--label', nargs='+', default=[], metavar='RESULT=NAME',
                        help='the method name of a result file or folder (default: the '
                        "model's type from the file)")
    parser.add_argument('--columns', nargs='+', metavar='PATTERN',
                        help="only these figures, shell-style patterns in order (e.g. '*/cIoU' "
                        "'extended/AP'); default every figure")
    parser.add_argument('--digits', type=int, default=3, help='decimals in the markdown table')
    parser.add_argument('--no-plots', action='store_true', help='the table only')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    labels = {}
    for item in args.label:
        path, sep, name = item.rpartition('=')
        if not sep or not path:
            raise SystemExit(f'--label {item!r}: expected RESULT=NAME')
        labels[path] = name
    runs, columns, rows = build_leaderboard(args.results, labels, args.columns)
    os.makedirs(args.out_dir, exist_ok=True)
    stem = osp.join(args.out_dir, args.name)
    markdown = to_markdown(rows, columns, args.digits)
    atomic_write_text(stem + '.md', markdown)
    atomic_write_text(stem + '.csv', to_csv(rows, columns))
    outputs = dict(markdown=stem + '.md', csv=stem + '.csv', runs=len(runs))
    if not args.no_plots:
        from sspl.visualization.leaderboard_plots import (plot_precision_recall,
                                                          plot_success_rates)
        outputs['success_rate'] = plot_success_rates(runs, stem + '_success_rate.png')
        outputs['precision_recall'] = plot_precision_recall(runs, stem + '_precision_recall.png')
    print(markdown)
    print(f'{len(runs)} runs, {len(columns)} figures: '
          + ', '.join(str(path) for key, path in outputs.items() if key != 'runs' and path))
    return outputs


if __name__ == '__main__':
    main()
