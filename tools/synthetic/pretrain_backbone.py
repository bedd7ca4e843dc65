#!/usr/bin/env python
"""Pretrain the visual backbone of a synthetic config on the synthetic object
classes: the stand-in for ImageNet pretraining on the built-in dataset.

SSPL relies on a visual backbone whose features already tell objects apart
(the published model freezes an ImageNet VGG16); the synthetic domain has no
such model and the ImageNet weights cannot be downloaded everywhere. This tool
trains the config's (scaled) visual backbone to recognise the class of the
object at each position of its output map (a cosine classifier over the 8
object classes and background) on frames of a separate ``pretrain`` split, and
writes the backbone's own state dict (for VGG16: torchvision's layout,
``features.*``), which the config then loads frozen via
``model.<backbone>.pretrained``. It never sees audio: which object sounds is
left for the method to learn.

Any backbone that maps ``(B, 3, S, S)`` frames to a ``(B, C, h, w)`` map and
loads its ``pretrained`` file as its own state dict works; ``--backbone``
names the model config's entry (``visual_backbone`` for SSPL).

    python tools/synthetic/pretrain_backbone.py configs/sspl_w_pcm_synthetic.py
"""
import argparse
import os
import os.path as osp
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from mmengine.config import Config
from mmengine.logging import MMLogger

from sspl.datasets.synthetic import CLASSES, make_clip, object_class_map
from sspl.registry import MODELS
from sspl.utils import register_all_modules
from sspl.utils.atomic_io import atomic_torch_save


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='a synthetic config (its visual backbone is trained)')
    parser.add_argument('--backbone', default='visual_backbone',
                        help='the entry of the model config to pretrain')
    parser.add_argument('--out', help='output weights (default: the config\'s '
                        'model.<backbone>.pretrained)')
    parser.add_argument('--num-clips', type=int, default=600,
                        help='clips of the pretrain split (two frames each)')
    parser.add_argument('--epochs', type=int, default=5)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--lr', type=float, default=1e-3)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--force', action='store_true', help='retrain even if --out exists')
    return parser.parse_args(argv)


def build_frames(num_clips: int, seed: int, image_size: int, grid: int):
    """Frames ``(N, S, S, 3)`` uint8 and their ``(N, grid, grid)`` class maps."""
    frames, labels = [], []
    for index in range(num_clips):
        clip = make_clip(seed, 'pretrain', index, image_size=image_size)
        for frame, objects in zip(clip['frames'], clip['objects']):
            frames.append(frame)
            labels.append(object_class_map(objects, image_size, grid))
    return np.stack(frames), np.stack(labels)


def main(argv=None) -> int:
    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if not isinstance(cfg.model.get(args.backbone), dict):
        raise SystemExit(f'{args.config}: the model config has no {args.backbone!r} entry '
                         '(--backbone names the visual backbone to pretrain)')
    backbone_cfg = cfg.model[args.backbone].copy()
    out = args.out or backbone_cfg.get('pretrained')
    if out == 'torchvision' and not args.out:
        print(f'{args.config}: the visual backbone loads torchvision\'s ImageNet weights: '
              'nothing to pretrain')
        return 0
    if not out or out == 'torchvision':
        raise SystemExit(f'{args.config}: model.{args.backbone}.pretrained is not a file '
                         'path; give --out')
    if osp.exists(out) and not args.force:
        print(f'{out} exists: nothing to do (use --force to retrain)')
        return 0
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    backbone_cfg.update(pretrained=None, frozen=False)
    backbone = MODELS.build(backbone_cfg)
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    # mmengine writes the per-parameter initialisation report to the current
    # logger's file (to the console when it has none).
    MMLogger.get_instance('pretrain_backbone', log_file=osp.splitext(out)[0] + '.log')
    backbone.init_weights()
    image_size = cfg.get('image_size', 112)
    with torch.no_grad():  # the map's channels and grid, whatever the backbone
        channels, grid, grid_w = backbone(torch.zeros(1, 3, image_size, image_size)).shape[1:]
    if grid != grid_w:
        raise SystemExit(f'{args.config}: the {type(backbone).__name__} map of a square '
                         f'frame is {grid} x {grid_w}; the class maps need a square grid')
    num_classes = len(CLASSES) + 1  # + background
    class_weights = torch.nn.Parameter(0.1 * torch.randn(num_classes, channels))
    optimizer = torch.optim.Adam(list(backbone.parameters()) + [class_weights], lr=args.lr)

    frames, labels = build_frames(args.num_clips, args.seed, image_size, grid)
    preprocessor = MODELS.build(cfg.model.data_preprocessor)
    print(f'pretraining {type(backbone).__name__} on {len(frames)} synthetic frames '
          f'({grid}x{grid} class maps, {num_classes} classes incl. background)')
    for epoch in range(args.epochs):
        start, losses, correct = time.time(), [], []
        order = np.random.permutation(len(frames))
        for first in range(0, len(order) - args.batch_size + 1, args.batch_size):
            batch = order[first:first + args.batch_size]
            images = torch.from_numpy(frames[batch]).permute(0, 3, 1, 2)
            if np.random.rand() < 0.5:  # flip the batch: the class maps flip with it
                images, target = images.flip(3), torch.from_numpy(labels[batch]).flip(2)
            else:
                target = torch.from_numpy(labels[batch])
            inputs = preprocessor(dict(inputs=dict(frames=images)), training=True)['inputs']
            feature_map = backbone(inputs['frames'][:, 0])                      # (B, C, g, g)
            logits = 16.0 * torch.einsum('bchw,kc->bkhw', F.normalize(feature_map, dim=1),
                                         F.normalize(class_weights, dim=1))   # cosine classifier
            loss = F.cross_entropy(logits, target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            correct.append((logits.argmax(1) == target).float().mean().item())
        print(f'epoch {epoch + 1}/{args.epochs}: loss {np.mean(losses):.3f}, '
              f'per-position accuracy {np.mean(correct):.3f} ({time.time() - start:.0f} s)',
              flush=True)
    atomic_torch_save(backbone.state_dict(), out)
    print(f'wrote {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
