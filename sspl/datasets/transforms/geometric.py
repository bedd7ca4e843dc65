"""Geometric transforms of a frame that carry its ground-truth boxes along.

``results['img']`` is ``(H, W, 3)`` uint8; ``results['gt_bboxes']`` (optional)
is ``(N, 4)`` float64, ``x0, y0, x1, y1`` in pixels of the current image. Every
transform here changes both, so a box and its frame never disagree. Resizing
uses PIL bicubic, the interpolation of the published torchvision pipeline.

The random transforms draw from the sample's generator
(:func:`sspl.datasets.sample_randomness.sample_rng`): a crop or flip is a
function of ``(seed, epoch, sample index)``, not of the worker that loads it.
"""
from typing import Sequence, Union

import numpy as np
from PIL import Image

from sspl.registry import TRANSFORMS
from ..annotations import scale_boxes
from ..sample_randomness import sample_rng

_INTERPOLATION = {'bicubic': Image.BICUBIC, 'bilinear': Image.BILINEAR,
                  'nearest': Image.NEAREST}


def _resize(results: dict, height: int, width: int, interpolation: str) -> dict:
    img = results['img']
    old_h, old_w = img.shape[:2]
    if (old_h, old_w) != (height, width):
        img = np.asarray(Image.fromarray(img).resize((width, height), _INTERPOLATION[interpolation]))
    results['img'] = img
    results['img_shape'] = (height, width)
    if results.get('gt_bboxes') is not None:
        results['gt_bboxes'] = scale_boxes(results['gt_bboxes'], (old_w, old_h), (width, height))
    return results


def _crop(results: dict, top: int, left: int, height: int, width: int) -> dict:
    results['img'] = results['img'][top:top + height, left:left + width]
    results['img_shape'] = (height, width)
    if results.get('gt_bboxes') is not None:
        boxes = np.asarray(results['gt_bboxes'], dtype=np.float64).copy()
        boxes[:, 0::2] = np.clip(boxes[:, 0::2] - left, 0, width)
        boxes[:, 1::2] = np.clip(boxes[:, 1::2] - top, 0, height)
        results['gt_bboxes'] = boxes
    return results


@TRANSFORMS.register_module()
class ResizeShortEdge:
    """Resize so that the shorter side is ``size`` (the longer one
    ``int(size * long / short)``, as torchvision's ``Resize(int)``)."""

    def __init__(self, size: int, interpolation: str = 'bicubic'):
        self.size = size
        self.interpolation = interpolation

    def __call__(self, results: dict) -> dict:
        height, width = results['img'].shape[:2]
        if height <= width:
            new_h, new_w = self.size, int(self.size * width / height)
        else:
            new_h, new_w = int(self.size * height / width), self.size
        return _resize(results, new_h, new_w, self.interpolation)

    def __repr__(self):
        return f'{self.__class__.__name__}(size={self.size}, interpolation={self.interpolation})'


@TRANSFORMS.register_module()
class Resize:
    """Resize to ``size`` ``(height, width)`` (or a square ``size``), ignoring
    the aspect ratio (the squash of the published h5 packs and Chaotic World)."""

    def __init__(self, size: Union[int, Sequence[int]], interpolation: str = 'bicubic'):
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.interpolation = interpolation

    def __call__(self, results: dict) -> dict:
        return _resize(results, self.size[0], self.size[1], self.interpolation)

    def __repr__(self):
        return f'{self.__class__.__name__}(size={self.size}, interpolation={self.interpolation})'


@TRANSFORMS.register_module()
class CenterCrop:
    """Centre crop of ``size`` (torchvision's rounding of the offsets)."""

    def __init__(self, size: int):
        self.size = size

    def __call__(self, results: dict) -> dict:
        height, width = results['img'].shape[:2]
        if height < self.size or width < self.size:
            raise ValueError(f'CenterCrop({self.size}) of a {height}x{width} image; '
                             'resize it first')
        top = int(round((height - self.size) / 2.0))
        left = int(round((width - self.size) / 2.0))
        return _crop(results, top, left, self.size, self.size)

    def __repr__(self):
        return f'{self.__class__.__name__}(size={self.size})'


@TRANSFORMS.register_module()
class RandomCrop:
    """Random crop of ``size`` x ``size``: offsets drawn uniformly (both
    ends included) from the sample's generator."""

    def __init__(self, size: int):
        self.size = size

    def __call__(self, results: dict) -> dict:
        height, width = results['img'].shape[:2]
        if height < self.size or width < self.size:
            raise ValueError(f'RandomCrop({self.size}) of a {height}x{width} image; '
                             'resize it first')
        rng = sample_rng(results)
        top = int(rng.integers(0, height - self.size + 1))
        left = int(rng.integers(0, width - self.size + 1))
        return _crop(results, top, left, self.size, self.size)

    def __repr__(self):
        return f'{self.__class__.__name__}(size={self.size})'


@TRANSFORMS.register_module()
class RandomFlip:
    """Horizontal flip with probability ``prob`` (one draw from the sample's
    generator)."""

    def __init__(self, prob: float = 0.5):
        self.prob = prob

    def __call__(self, results: dict) -> dict:
        if sample_rng(results).random() < self.prob:
            results['img'] = np.ascontiguousarray(results['img'][:, ::-1])
            if results.get('gt_bboxes') is not None:
                width = results['img'].shape[1]
                boxes = np.asarray(results['gt_bboxes'], dtype=np.float64).copy()
                boxes[:, [0, 2]] = width - boxes[:, [2, 0]]
                results['gt_bboxes'] = boxes
        return results

    def __repr__(self):
        return f'{self.__class__.__name__}(prob={self.prob})'
