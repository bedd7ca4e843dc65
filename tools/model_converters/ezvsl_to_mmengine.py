#!/usr/bin/env python
"""Convert a checkpoint of the published EZ-VSL, SLAVC or FNAC code into an
sspl checkpoint.

The published ``train.py`` files save ``best.pth`` / ``latest.pth`` as
``{'model': ..., 'optimizer': ..., 'epoch': ..., 'best_*': numpy.float64}``,
with or without the ``module.`` prefix of DistributedDataParallel. This tool
reads it safely (tensors, containers and numpy scalars only; never
``weights_only=False``), renames the keys to the modules of
``sspl.models.{EZVSL,SLAVC,FNAC}`` and writes ``{'state_dict': ..., 'meta':
...}``, which ``tools/test.py CONFIG OUT`` and ``sspl.apis.init_localizer``
load with no missing or unexpected keys. Logic:
:mod:`sspl.models.converters.ezvsl_family`.

Example::

    python tools/model_converters/ezvsl_to_mmengine.py --method ezvsl \\
        checkpoints/flickr_10k/best.pth ezvsl_flickr10k.pth
"""
import argparse
import sys

from sspl.models.converters import METHODS, convert_published_checkpoint
from sspl.utils.atomic_io import atomic_torch_save
from sspl.utils.checkpoint import CheckpointError


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--method', required=True, choices=METHODS)
    parser.add_argument('src', help='published best.pth / latest.pth')
    parser.add_argument('out', help='output sspl checkpoint')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        state_dict, meta = convert_published_checkpoint(args.method, args.src)
    except CheckpointError as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 1
    atomic_torch_save({'state_dict': state_dict, 'meta': meta}, args.out)
    print(f'wrote {args.out}: {len(state_dict)} tensors ({args.method})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
