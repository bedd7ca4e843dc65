#!/usr/bin/env python
"""Convert the checkpoints of the published SSPL code into one sspl checkpoint.

The published code saves four files (``frame_best.pth``, ``sound_best.pth``,
``pcm_best.pth`` for SSPL w/ PCM, ``ssl_head_best.pth``), all but the frame
file from DistributedDataParallel wrappers (keys start with ``module.``). This
tool renames their keys to the modules of :class:`sspl.models.SSPL` and writes
``{'state_dict': ..., 'meta': ...}``, which ``tools/test.py CONFIG OUT.pth``
loads with no missing or unexpected keys.

Example::

    python tools/model_converters/sspl_to_mmengine.py \\
        --frame frame_best.pth --sound sound_best.pth --pcm pcm_best.pth \\
        --ssl-head ssl_head_best.pth --out sspl_w_pcm_flickr10k.pth
"""
import argparse
import os
import re
import sys
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import torch

from sspl.utils.checkpoint import CheckpointError, get_state_dict, safe_load

# (published key pattern, sspl key template) per file; the first match wins.
RENAMES: Dict[str, List[Tuple[str, str]]] = {
    'frame': [(r'^feat_extractor\.(\d+)\.(weight|bias)$', r'visual_backbone.features.\1.\2')],
    'sound': [
        (r'^features\.(\d+)\.(weight|bias)$', r'audio_backbone.features.\1.\2'),
        (r'^embeddings\.(\d+)\.(weight|bias)$', r'audio_backbone.embeddings.\1.\2'),
        (r'^fc\.(\d+)\.(weight|bias)$', r'audio_head.fc.\1.\2'),
    ],
    'pcm': [
        (r'^PredProcess\.0\.(weight|bias)$', r'neck.top_down.0.\1'),
        (r'^PredProcess\.(\d+)\.conv2d\.weight$', r'neck.top_down.\1.conv.weight'),
        (r'^ErrorProcess\.(\d+)\.convtrans2d\.weight$', r'neck.bottom_up.\1.conv.weight'),
        (r'^ErrorProcess\.(\d+)\.(weight|bias)$', r'neck.bottom_up.\1.\2'),
        (r'^a0\.(\d+)$', r'neck.error_rates.\1'),
        (r'^b0\.(\d+)$', r'neck.prediction_rates.\1'),
        (r'^BNPred\.(\d+)\.(.+)$', r'neck.top_down_norms.\1.\2'),
        (r'^BNError\.(\d+)\.(.+)$', r'neck.bottom_up_norms.\1.\2'),
        (r'^BNPred_step\.(\d+)\.(.+)$', r'neck.top_down_cycle_norms.\1.\2'),
        (r'^BNError_step\.(\d+)\.(.+)$', r'neck.bottom_up_cycle_norms.\1.\2'),
    ],
    'ssl_head': [(r'^(projector|predictor)\.(.+)$', r'head.\1.\2')],
}


def strip_module_prefix(key: str) -> str:
    return key[len('module.'):] if key.startswith('module.') else key


def convert_key(kind: str, key: str) -> Optional[str]:
    """The sspl key of the published ``key`` (with or without ``module.``) of a
    ``kind`` file (``'frame'``, ``'sound'``, ``'pcm'``, ``'ssl_head'``), or None
    when it fits none of that file's patterns."""
    plain = strip_module_prefix(key)
    for pattern, template in RENAMES[kind]:
        if re.match(pattern, plain):
            return re.sub(pattern, template, plain)
    return None


def convert_file(kind: str, path: str) -> 'OrderedDict[str, torch.Tensor]':
    """Rename the keys of one published file; raises :class:`CheckpointError`
    naming the file and the keys that fit none of its patterns."""
    state_dict = get_state_dict(safe_load(path), path)
    converted, unknown = OrderedDict(), []
    for key, value in state_dict.items():
        new_key = convert_key(kind, key)
        if new_key is None:
            unknown.append(key)
        else:
            converted[new_key] = value
    # Every part of a published file must be there (e.g. ``fc.*`` of sound_best.pth).
    plain_keys = [strip_module_prefix(key) for key in state_dict]
    missing = [pattern for pattern, _ in RENAMES[kind]
               if not any(re.match(pattern, key) for key in plain_keys)]
    if unknown or missing:
        shown = ', '.join(unknown[:8]) + (f' ... ({len(unknown)} in all)' if len(unknown) > 8 else '')
        raise CheckpointError(
            f'{path}: is not a published {kind} checkpoint: unexpected keys [{shown}]; '
            f'no keys matching [{", ".join(missing)}]')
    return converted


def convert(frame: str, sound: str, ssl_head: str, pcm: Optional[str] = None
            ) -> 'OrderedDict[str, torch.Tensor]':
    """Merge the converted files into one sspl state dict."""
    state_dict = OrderedDict()
    for kind, path in (('frame', frame), ('sound', sound), ('pcm', pcm), ('ssl_head', ssl_head)):
        if path is not None:
            state_dict.update(convert_file(kind, path))
    return state_dict


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--frame', required=True, help='frame_best.pth (VGG16)')
    parser.add_argument('--sound', required=True, help='sound_best.pth (VGGish + audio head)')
    parser.add_argument('--pcm', help='pcm_best.pth (SSPL w/ PCM only)')
    parser.add_argument('--ssl-head', required=True, help='ssl_head_best.pth (SimSiam head)')
    parser.add_argument('--out', required=True, help='output checkpoint')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        state_dict = convert(args.frame, args.sound, args.ssl_head, args.pcm)
    except CheckpointError as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 1
    meta = dict(converted_from=dict(frame=args.frame, sound=args.sound, pcm=args.pcm,
                                    ssl_head=args.ssl_head),
                variant='sspl_w_pcm' if args.pcm else 'sspl_wo_pcm')
    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    tmp_path = args.out + '.tmp'
    torch.save({'state_dict': state_dict, 'meta': meta}, tmp_path)
    os.replace(tmp_path, args.out)
    print(f'wrote {args.out}: {len(state_dict)} tensors ({meta["variant"]})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
