#!/usr/bin/env python
"""A grid of test overlays (``tools/test.py --show-dir``), picked by a fixed
rule: evenly spaced over the clips sorted by name, so neither the best nor the
worst are chosen.

    python tools/analysis/overlay_grid.py work_dirs/sspl_w_pcm_synthetic/test/overlays \\
        --out docs/images/synthetic_grid.png [--rows 4 --cols 4] [--title TEXT]

Prints the grid's path.
"""
import argparse
import glob
import os.path as osp
import sys

from sspl.visualization.grid import evenly_spaced, image_grid, read_image, write_image

LEGEND = ('green box: ground truth; white outline: predicted region (map >= 0.5 of its '
          'range); ring: the map\'s peak (green: in the box, red: outside)')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('overlays', help='folder of overlay PNGs (tools/test.py --show-dir)')
    parser.add_argument('--out', required=True, help='the grid PNG to write')
    parser.add_argument('--rows', type=int, default=4)
    parser.add_argument('--cols', type=int, default=4)
    parser.add_argument('--pattern', default='*.png',
                        help='which files of the folder (shell pattern; default every PNG)')
    parser.add_argument('--exclude', nargs='*', default=['*_silent_*', '*_absent_*'],
                        help='file patterns left out (default: the negatives of an extended '
                        'split, which have no box)')
    parser.add_argument('--title', help='text above the grid (a legend line is added)')
    return parser.parse_args(argv)


def main(argv=None) -> str:
    args = parse_args(argv)
    import fnmatch
    files = sorted(path for path in glob.glob(osp.join(args.overlays, args.pattern))
                   if not any(fnmatch.fnmatch(osp.basename(path), pattern)
                              for pattern in args.exclude))
    if not files:
        raise SystemExit(f'{args.overlays}: no overlay matches {args.pattern!r} '
                         '(write them with tools/test.py CONFIG CKPT --show-dir DIR)')
    chosen = [files[i] for i in evenly_spaced(len(files), args.rows * args.cols)]
    title = (args.title + '\n' if args.title else '') + \
        f'{len(chosen)} of {len(files)} clips, evenly spaced by name (not chosen by score)\n' + \
        LEGEND
    grid = image_grid([read_image(path) for path in chosen], args.cols,
                      captions=[osp.splitext(osp.basename(path))[0] for path in chosen],
                      title=title)
    write_image(args.out, grid)
    print(f'overlay grid: {args.out}')
    return args.out


if __name__ == '__main__':
    main()
    sys.exit(0)
