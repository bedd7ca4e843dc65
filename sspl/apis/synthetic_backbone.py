"""The stand-in for ImageNet on the built-in synthetic dataset: a config's
visual backbone pretrained to tell the synthetic objects (and backgrounds)
apart, position by position.

SSPL freezes an ImageNet VGG16, whose features already tell objects apart;
the synthetic domain has no such model and ImageNet weights cannot be
downloaded everywhere. :func:`pretrain_synthetic_backbone` trains the
config's (scaled) backbone as a dense cosine classifier of the label at each
position of its output map (:func:`sspl.datasets.synthetic.object_class_map`:
the 8 object classes, and the background: one class for generator version 1,
one per background style for version 2) on frames of a separate ``pretrain``
split, and writes the backbone's own state dict, which the config loads
frozen via ``model.<backbone>.pretrained``. It never sees audio: which object
sounds is left to the method.

Deterministic: the same config and options give the same weights (its own
NumPy generator; torch's global generators forked and seeded, so the caller's
random state is left as it was).

:func:`ensure_synthetic_backbone` builds the file on first use (what
:class:`sspl.engine.hooks.SyntheticBackboneHook` calls before training);
``tools/synthetic/pretrain_backbone.py`` is its command line.
"""
import os
import os.path as osp
import time
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.logging import print_log

from sspl.datasets.synthetic import (background_label, check_generator_version, make_clip,
                                     num_pretraining_labels, object_class_map)
from sspl.registry import MODELS
from sspl.utils.atomic_io import atomic_torch_save

#: the default recipe (``tools/synthetic/pretrain_backbone.py`` takes each as an option)
DEFAULTS = dict(num_clips=600, epochs=5, batch_size=32, lr=1e-3, seed=0,
                background_energy=0.0)


def synthetic_generator_version(cfg) -> int:
    """The generator version of the config's synthetic training split (the
    frames the backbone will see); the latest when the config names none."""
    dataset = (cfg.get('train_dataloader') or {}).get('dataset') or {}
    while 'dataset' in dataset and 'type' not in dataset:
        dataset = dataset['dataset']
    return check_generator_version(dataset.get('generator_version'))


def check_pretrain_options(options: dict, where: str) -> dict:
    """``options`` if each is an option of the recipe (:data:`DEFAULTS`), else
    a ``ValueError`` naming ``where`` and the unknown ones."""
    unknown = set(options) - set(DEFAULTS)
    if unknown:
        raise ValueError(f'{where}: unknown pretrain_options {sorted(unknown)} '
                         f'(known: {sorted(DEFAULTS)})')
    return options


def recipe_options(cfg) -> dict:
    """The pretraining recipe of a config: :data:`DEFAULTS` updated with the
    ``pretrain_options`` of its ``SyntheticBackboneHook`` (in
    ``default_hooks`` or ``custom_hooks``), so that the hook and
    ``tools/synthetic/pretrain_backbone.py`` build the same file."""
    options = dict(DEFAULTS)
    hooks = list((cfg.get('default_hooks') or {}).values()) + list(cfg.get('custom_hooks') or [])
    for hook in hooks:
        if isinstance(hook, dict) and hook.get('type') == 'SyntheticBackboneHook':
            where = f'{getattr(cfg, "filename", None) or "the config"}: SyntheticBackboneHook'
            options.update(check_pretrain_options(dict(hook.get('pretrain_options') or {}),
                                                  where))
    return options


def pretrained_path(cfg, backbone: str = 'visual_backbone') -> Optional[str]:
    """The weights file ``model.<backbone>.pretrained`` names, or ``None`` when
    it names none (random weights) or torchvision's ImageNet weights."""
    entry = cfg.model.get(backbone)
    if not isinstance(entry, dict):
        raise ValueError(f'{getattr(cfg, "filename", "the config")}: the model config has no '
                         f'{backbone!r} entry')
    path = entry.get('pretrained')
    return None if path in (None, 'torchvision') else str(path)


def build_pretraining_frames(num_clips: int, seed: int, image_size: int, grid: int,
                             generator_version: Optional[int] = None,
                             input_size: Optional[int] = None):
    """Frames ``(N, S, S, 3)`` uint8 of the ``pretrain`` split (two per clip;
    generated at ``image_size``, resized bilinearly to ``input_size`` when the
    network sees them larger) and their ``(N, grid, grid)`` dense labels."""
    import cv2
    frames, labels = [], []
    for index in range(num_clips):
        clip = make_clip(seed, 'pretrain', index, image_size=image_size,
                         generator_version=generator_version)
        for frame, objects, style in zip(clip['frames'], clip['objects'], clip['backgrounds']):
            if input_size is not None and input_size != image_size:
                frame = cv2.resize(frame, (input_size, input_size), interpolation=cv2.INTER_LINEAR)
            frames.append(frame)
            labels.append(object_class_map(objects, image_size, grid, background_label(style)))
    return np.stack(frames), np.stack(labels)


def pretrain_synthetic_backbone(cfg, out: str, backbone: str = 'visual_backbone',
                                num_clips: int = DEFAULTS['num_clips'],
                                epochs: int = DEFAULTS['epochs'],
                                batch_size: int = DEFAULTS['batch_size'],
                                lr: float = DEFAULTS['lr'],
                                seed: int = DEFAULTS['seed'],
                                background_energy: float = DEFAULTS['background_energy']
                                ) -> dict:
    """Pretrain ``model.<backbone>`` of ``cfg`` on the synthetic objects and
    write its state dict to ``out`` (atomically). Returns the last epoch's
    ``loss`` and per-position ``accuracy``, and the file.

    Any backbone that maps ``(B, 3, S, S)`` frames to a ``(B, C, h, w)`` map
    with ``h == w`` and loads its ``pretrained`` file as its own state dict
    works (``VGG16``, ``ResNet18``).

    ``background_energy`` > 0 adds that weight times the mean squared norm
    of the features at background positions over that of object positions:
    features that are weak where there is no object, as an ImageNet
    network's are on plain backgrounds."""
    name = getattr(cfg, 'filename', None) or 'the config'
    backbone_cfg = dict(cfg.model[backbone])
    backbone_cfg.update(pretrained=None, frozen=False)
    version = synthetic_generator_version(cfg)
    image_size = int(cfg.get('image_size', 112))  # of the generated frames
    input_size = int(cfg.get('input_size', image_size))  # as the network sees them
    rng = np.random.default_rng(seed)
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = MODELS.build(backbone_cfg)
        # (mmengine writes its per-parameter initialisation report to the
        # current logger's file: the run's log in a training run)
        model.init_weights()
        model.train()
        with torch.no_grad():  # the map's channels and grid, whatever the backbone
            channels, grid, grid_w = model(torch.zeros(1, 3, input_size, input_size)).shape[1:]
        if grid != grid_w:
            raise ValueError(f'{name}: the {type(model).__name__} map of a square frame is '
                             f'{grid} x {grid_w}; the dense labels need a square grid')
        num_labels = num_pretraining_labels(version)
        num_objects = background_label(None)  # labels below it are objects
        class_weights = torch.nn.Parameter(0.1 * torch.randn(num_labels, channels))
        optimizer = torch.optim.Adam(list(model.parameters()) + [class_weights], lr=lr)
        frames, labels = build_pretraining_frames(num_clips, seed, image_size, grid, version,
                                                  input_size)
        preprocessor = MODELS.build(cfg.model.data_preprocessor)
        print_log(f'pretraining {type(model).__name__} ({backbone} of {name}) on {len(frames)} '
                  f'synthetic frames (generator version {version}, {input_size} px; '
                  f'{grid}x{grid} label maps, '
                  f'{num_labels} labels: objects and backgrounds), {epochs} epochs',
                  logger='current')
        loss_value = accuracy = float('nan')
        for epoch in range(epochs):
            start, losses, correct = time.time(), [], []
            order = rng.permutation(len(frames))
            for first in range(0, len(order) - batch_size + 1, batch_size):
                batch = order[first:first + batch_size]
                images = torch.from_numpy(frames[batch]).permute(0, 3, 1, 2)
                target = torch.from_numpy(labels[batch])
                if rng.random() < 0.5:  # flip the batch: the label maps flip with it
                    images, target = images.flip(3), target.flip(2)
                inputs = preprocessor(dict(inputs=dict(frames=images)), training=True)['inputs']
                feature_map = model(inputs['frames'][:, 0])                       # (B, C, g, g)
                logits = 16.0 * torch.einsum('bchw,kc->bkhw', F.normalize(feature_map, dim=1),
                                             F.normalize(class_weights, dim=1))  # cosine classifier
                loss = F.cross_entropy(logits, target)
                if background_energy > 0:
                    energy = feature_map.pow(2).sum(dim=1)                        # (B, g, g)
                    is_object = target < num_objects
                    if is_object.any() and (~is_object).any():
                        loss = loss + background_energy * energy[~is_object].mean() / (
                            energy[is_object].mean().detach() + 1e-6)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
                correct.append((logits.argmax(1) == target).float().mean().item())
            loss_value, accuracy = float(np.mean(losses)), float(np.mean(correct))
            print_log(f'  epoch {epoch + 1}/{epochs}: loss {loss_value:.3f}, per-position '
                      f'accuracy {accuracy:.3f} ({time.time() - start:.0f} s)', logger='current')
        atomic_torch_save(model.state_dict(), out)
    print_log(f'wrote the synthetic {backbone} weights {out}', logger='current')
    return dict(loss=loss_value, accuracy=accuracy, out=out)


def ensure_synthetic_backbone(cfg, backbone: str = 'visual_backbone', **options) -> Optional[str]:
    """Build the weights file ``model.<backbone>.pretrained`` of a synthetic
    config when it does not exist yet (with a log line saying so); return its
    path (``None`` when the config names no file: random weights or
    torchvision's ImageNet ones). An existing file is used as it is."""
    out = pretrained_path(cfg, backbone)
    if out is None or osp.exists(out):
        return out
    print_log(f'{out} does not exist: building it now (first use of '
              f'{getattr(cfg, "filename", "the config")}; deterministic, '
              f'`python tools/synthetic/pretrain_backbone.py CONFIG` does the same)',
              logger='current')
    pretrain_synthetic_backbone(cfg, out, backbone, **options)
    return out
