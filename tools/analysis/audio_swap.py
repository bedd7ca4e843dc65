#!/usr/bin/env python
"""Does a localizer use the audio? Evaluate a checkpoint on a config's split
twice: each clip with its own audio, and each clip with the audio of another
clip (of another class where the dataset has class labels).

A model that localises the *sounding* object loses cIoU when the audio names
another object; a model that found a visual shortcut (the most salient object,
the centre) scores the same with either audio. Frames, boxes, pipeline and
metric are those of ``tools/test.py``; only the audio entries of the samples
are exchanged, before the pipeline (:class:`sspl.datasets.NegativeAudioProbes`
in ``mode='replace'``: the same mechanism as ``tools/test.py --swap-audio``
and the ``offscreen`` probes of ``tools/test.py --negative-audio``).

    python tools/analysis/audio_swap.py configs/sspl_w_pcm_synthetic.py CKPT [--split test|val]
"""
import argparse
import json

import torch
from mmengine.config import Config

from sspl.apis import init_localizer
from sspl.apis.test_options import audio_swap_check
from sspl.datasets.negative_audio import audio_partners  # noqa: F401  (its old home)
from sspl.utils import register_all_modules


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--split', choices=['test', 'val'], default='test')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--seed', type=int, default=0, help='seed of the audio partners')
    parser.add_argument('--out', help='write both sets of metrics as JSON here')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    model = init_localizer(cfg, args.checkpoint, device=args.device)
    result = audio_swap_check(model, cfg, args.split, args.seed, args.batch_size)
    print(f'{args.checkpoint} on the {args.split} split of {args.config} '
          f"({len(result['partners'])} samples):")
    for name, key in (('own audio:    ', 'own_audio'), ('swapped audio:', 'swapped_audio')):
        print(f'  {name} ' + '  '.join(f'{k}: {v:.4f}' for k, v in result[key].items()))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()
