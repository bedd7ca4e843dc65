#!/usr/bin/env python
"""Does a localizer use the audio? Evaluate a checkpoint on a config's split
twice: each clip with its own audio, and each clip with the audio of another
clip (of another class where the dataset has class labels).

A model that localises the *sounding* object loses cIoU when the audio names
another object; a model that found a visual shortcut (the most salient object,
the centre) scores the same with either audio. Frames, boxes, pipeline and
metric are those of ``tools/test.py``; only the audio fields of the samples
(``audio_path``, ``waveform``, ``log_mel``) are exchanged, before the pipeline.

    python tools/analysis/audio_swap.py configs/sspl_w_pcm_synthetic.py CKPT [--split test|val]
"""
import argparse
import json
from typing import List

import numpy as np
import torch

from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.registry import FUNCTIONS

from sspl.apis import init_localizer
from sspl.registry import DATASETS
from sspl.utils import register_all_modules

#: the fields of a data-list entry that carry a clip's audio
AUDIO_KEYS = ('audio_path', 'waveform', 'log_mel')


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


def audio_partners(labels: List, seed: int = 0) -> List[int]:
    """For each clip, the clip whose audio it gets: a fixed random other clip,
    of another class when every clip has a label (and another class exists)."""
    rng = np.random.default_rng(seed)
    num = len(labels)
    partners = []
    for index in range(num):
        candidates = [other for other in range(num) if other != index]
        if all(label is not None for label in labels):
            other_class = [other for other in candidates if labels[other] != labels[index]]
            candidates = other_class or candidates
        partners.append(int(rng.choice(candidates)) if candidates else index)
    return partners


def evaluate(model, dataset, evaluator: Evaluator, partners: List[int], collate,
             batch_size: int) -> dict:
    """Metrics of ``model`` on ``dataset`` where clip ``i`` gets the audio of
    clip ``partners[i]``."""
    for first in range(0, len(dataset), batch_size):
        samples = []
        for index in range(first, min(first + batch_size, len(dataset))):
            info = dataset.get_data_info(index)
            audio_source = dataset.get_data_info(partners[index])
            for key in AUDIO_KEYS:
                info.pop(key, None)
                if key in audio_source:
                    info[key] = audio_source[key]
            samples.append(dataset.pipeline(info))
        with torch.no_grad():
            outputs = model.test_step(collate(samples))
        evaluator.process(outputs)
    return evaluator.evaluate(len(dataset))


def main(argv=None) -> dict:
    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    loader_cfg = cfg[f'{args.split}_dataloader']
    dataset = DATASETS.build(loader_cfg['dataset'])
    evaluator = Evaluator(cfg[f'{args.split}_evaluator'])
    collate = FUNCTIONS.get((loader_cfg.get('collate_fn') or {}).get('type', 'pseudo_collate'))
    model = init_localizer(cfg, args.checkpoint, device=args.device)

    labels = [dataset.get_metadata(index).get('label') for index in range(len(dataset))]
    partners = audio_partners(labels, args.seed)
    own = evaluate(model, dataset, evaluator, list(range(len(dataset))), collate, args.batch_size)
    swapped = evaluate(model, dataset, evaluator, partners, collate, args.batch_size)
    print(f'{args.checkpoint} on the {args.split} split of {args.config} '
          f'({len(dataset)} samples):')
    print('  own audio:     ' + '  '.join(f'{key}: {value:.4f}' for key, value in own.items()))
    print('  swapped audio: ' + '  '.join(f'{key}: {value:.4f}' for key, value in swapped.items()))
    result = dict(own_audio=own, swapped_audio=swapped, partners=partners)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()
