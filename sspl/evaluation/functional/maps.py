"""Map operations shared by the protocols: upsampling to the ground truth,
the published normalisations, and the sorted-value thresholds.

Everything stays in float32, as the published evaluators compute it (the
parity data are reproduced bit for bit that way): a float64 pipeline moves
pixels that sit on a threshold.
"""
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as torch_F

UPSAMPLE_MODES = ('bilinear', 'bicubic', 'cv2_linear')


def as_maps(maps, name: str = 'maps') -> np.ndarray:
    """``(N, h, w)`` float32 array of a tensor (any device), an array or a list
    of ``(h, w)`` maps; a single ``(h, w)`` map becomes ``(1, h, w)``."""
    if isinstance(maps, (list, tuple)):
        maps = [m.detach().cpu().numpy() if hasattr(m, 'detach') else np.asarray(m)
                for m in maps]
        maps = np.stack(maps) if maps else np.zeros((0, 1, 1), np.float32)
    elif hasattr(maps, 'detach'):
        maps = maps.detach().cpu().numpy()
    maps = np.asarray(maps, dtype=np.float32)
    if maps.ndim == 2:
        maps = maps[None]
    if maps.ndim != 3:
        raise ValueError(f'{name}: expected (N, h, w) maps, got shape {maps.shape}')
    if not np.all(np.isfinite(maps)):
        bad = sorted({int(i) for i in np.nonzero(~np.isfinite(maps))[0]})
        raise ValueError(f'{name}: maps {bad[:10]} hold NaN or Inf values')
    return maps


def upsample_maps(maps: np.ndarray, size: Tuple[int, int], mode: str = 'bilinear',
                  align_corners: Optional[bool] = True) -> np.ndarray:
    """Resize ``(N, h, w)`` float32 maps to ``size`` = (H, W), float32.

    Args:
        mode: ``'bilinear'`` or ``'bicubic'``: ``torch.nn.functional.interpolate``
            (what EZ-VSL, SLAVC, FNAC, SSLalignment and vssl_eval call);
            ``'cv2_linear'``: ``cv2.resize(..., INTER_LINEAR)`` (SSPL, LVS;
            the half-pixel convention, i.e. ``align_corners=False``).
        align_corners: the torch modes' flag (the published choices: True for
            the test scripts, False in EZ-VSL / SLAVC ``train.py`` and FNAC
            ``validate2``); must be None or False for ``'cv2_linear'``.
    """
    if mode not in UPSAMPLE_MODES:
        raise ValueError(f'upsample must be one of {UPSAMPLE_MODES}, got {mode!r}')
    height, width = int(size[0]), int(size[1])
    maps = np.ascontiguousarray(maps, dtype=np.float32)
    if len(maps) == 0:
        return np.zeros((0, height, width), np.float32)
    if mode == 'cv2_linear':
        if align_corners:
            raise ValueError("upsample='cv2_linear' is OpenCV's half-pixel resize: "
                             'align_corners=True does not apply')
        return np.stack([cv2.resize(m, dsize=(width, height), interpolation=cv2.INTER_LINEAR)
                         for m in maps]).astype(np.float32, copy=False)
    if align_corners is None:
        raise ValueError(f'upsample={mode!r} needs align_corners=True or False')
    with torch.no_grad():
        resized = torch_F.interpolate(torch.from_numpy(maps)[:, None], size=(height, width),
                                      mode=mode, align_corners=bool(align_corners))
    return resized[:, 0].numpy()


def normalize_keep_flat(value: np.ndarray) -> np.ndarray:
    """Min-max normalisation as EZ-VSL / SLAVC / FNAC / SSLalignment write it
    (``utils.normalize_img``): a flat map (max == min) is returned unchanged,
    so whatever the threshold is, it equals every pixel."""
    low, high = value.min(), value.max()
    if not (high - low) == 0:
        value = (value - low) / (high - low)
    return value


def affine_scores(value: np.ndarray, value_range: Optional[Sequence[float]]) -> np.ndarray:
    """``(value - low) / (high - low)`` with the Python floats of ``value_range``
    (SLAVC's fixed-bound ``min_max_norm``); ``None``: the value as it is."""
    if value_range is None:
        return value
    low, high = float(value_range[0]), float(value_range[1])
    if not high > low:
        raise ValueError(f'score range must be (low, high) with high > low, got {value_range}')
    return (value - low) / (high - low)


def sorted_value(value: np.ndarray, index: int) -> np.floating:
    """The value at ``index`` of the map's pixels sorted ascending (how every
    published evaluator derives its median / adaptive / relative thresholds)."""
    return np.sort(value.flatten())[index]


def ciou_of_mask(infer_map: np.ndarray, gt_map: np.ndarray) -> Tuple[float, float, float]:
    """``(ciou, inter, union)`` of a boolean prediction against ``gt_map``:
    ``sum(pred * gt) / (sum(gt) + sum(pred * (gt == 0)))``. An empty ``gt_map``
    with an empty prediction gives NaN (0 / 0, as published)."""
    infer_map = infer_map.astype(np.float64)
    inter = float(np.sum(infer_map * gt_map))
    union = float(np.sum(gt_map) + np.sum(infer_map * (gt_map == 0)))
    ciou = inter / union if union > 0 else float('nan')
    return ciou, inter, union


def auc_of_fractions(fractions: Sequence[float], thresholds: Sequence[float]) -> float:
    """Trapezoidal area under ``(thresholds, fractions)``
    (``sklearn.metrics.auc`` on increasing x)."""
    return float(np.trapezoid(np.asarray(fractions, dtype=np.float64),
                              np.asarray(thresholds, dtype=np.float64)))
