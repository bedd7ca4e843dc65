"""The ``negative_audio`` protocol: vssl_eval's pIA and AOC.

A frame is given audio that does not belong to it (silence, noise, another
clip's off-screen sound); a model that localises sound should light up
(almost) nothing. As ``xavijuanola/vssl_eval`` ``eval.py:eval`` computes it,
with maps on the model's (cosine + 1) / 2 scale and **no normalisation**:

- the image's own (positive) map is upsampled to the gt (bilinear,
  align_corners=True) and gives two per-image thresholds, ``thrciou`` = its
  sorted value at ``int(H * W / 2)`` and ``thrciouadap`` = at
  ``H * W - gt_nums`` (``H * W // 2`` without gt pixels);
- the negative map is upsampled with ``cv2.resize(INTER_LINEAR)`` (half-pixel:
  another mode than the positive's);
- ``pIA`` (per clip) = the fraction of pixels **strictly greater** than the
  threshold, compared in float32; for the thresholds ``thr05`` (0.5), the two
  per-image ones and any constants given (vssl_eval's per-model ``max``,
  ``max10``, ``maxq3``);
- per kind of negative audio: ``pIA`` = the mean, ``AOC`` = the area over
  x = 0.05 * i of the fraction of clips with pIA **<=** x (higher is better).
"""
from typing import Dict, Mapping, Sequence

import numpy as np

from . import AUC_THRESHOLDS
from .maps import auc_of_fractions, sorted_value

POSITIVE_VARIANTS = ('thrciou', 'thrciouadap')


def positive_thresholds(positive_map: np.ndarray, gt_map: np.ndarray) -> Dict[str, float]:
    """``thrciou`` and ``thrciouadap`` of one image from its upsampled positive
    map ``(H, W)`` (float32, unnormalised) and its gt map."""
    num_pixels = int(positive_map.shape[0] * positive_map.shape[1])
    gt_nums = int((gt_map != 0).sum())
    if gt_nums == 0:
        gt_nums = num_pixels // 2
    return dict(thrciou=float(sorted_value(positive_map, int(num_pixels / 2))),
                thrciouadap=float(sorted_value(positive_map, num_pixels - gt_nums)))


def pia(negative_map: np.ndarray, threshold: float) -> float:
    """Fraction of the pixels of the upsampled negative map strictly above
    ``threshold``, compared in float32 (the map's dtype)."""
    return float(np.sum(negative_map > np.float32(threshold)) / negative_map.size)


def pia_sample(negative_map: np.ndarray, thresholds: Mapping[str, float]) -> Dict[str, float]:
    """``pia_<variant>`` of one clip for each named threshold."""
    return {f'pia_{name}': pia(negative_map, value) for name, value in thresholds.items()}


def aoc(pias: Sequence[float]) -> float:
    """Area over x = 0.05 * i of the fraction of clips with pIA <= x."""
    pias = np.asarray(pias, dtype=np.float64)
    return auc_of_fractions([np.sum(pias <= t) / len(pias) for t in AUC_THRESHOLDS],
                            AUC_THRESHOLDS)


def summarize_negative_audio(per_sample: Mapping[str, Sequence[float]]) -> Dict[str, float]:
    """``pIA_<v>`` (mean) and ``AOC_<v>`` of each ``pia_<v>`` list."""
    figures = {}
    for key, values in per_sample.items():
        if not key.startswith('pia_'):
            continue
        if len(values) == 0:
            raise ValueError('negative_audio protocol: no samples')
        variant = key[len('pia_'):]
        figures[f'pIA_{variant}'] = float(np.mean(values))
        figures[f'AOC_{variant}'] = aoc(values)
    return figures
