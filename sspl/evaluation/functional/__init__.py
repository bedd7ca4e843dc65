"""cIoU and AUC with the semantics of the published SSPL evaluation, and the
ground-truth maps of the three benchmarks. Usable on its own (numpy in, floats
out); :class:`sspl.evaluation.metrics.LocalizationMetric` is built on it.

Every protocol of the field (fixed, median, adaptive / IIoU, extended,
pointing, negative_audio) is scored by :func:`protocol_scores`
(``protocols.py``); the functions below are its ``fixed`` protocol and the
ground-truth readers.

Two thresholding protocols:

- ``'fixed'`` (SSPL): the min-max normalised map is thresholded at 0.5;
- ``'median'`` (LVS, EZ-VSL, FNAC, SSL-TIE): the top 50% of pixels are kept,
  i.e. the threshold is the value at index ``H * W // 2`` of the sorted map.
"""
from typing import Iterable, Sequence, Tuple, Union

import cv2
import numpy as np

# Box rasterisation and the Flickr XML parser sit at the bottom layer (the
# datasets build their ground truth with them too); part of this module's API.
from sspl.structures.boxes import boxes_to_gt_map, parse_flickr_xml  # noqa: F401

AUC_THRESHOLDS = [0.05 * i for i in range(21)]


def as_map(array) -> np.ndarray:
    """A tensor (any device) or array-like as a numpy array."""
    if hasattr(array, 'detach'):
        array = array.detach().cpu().numpy()
    return np.asarray(array)


def normalize_map(sim_map: np.ndarray) -> np.ndarray:
    """Min-max normalise to [0, 1] (float32). A constant map becomes all zeros
    (the published code produced NaN there, which thresholds to an empty mask:
    same result, without the warning)."""
    sim_map = np.asarray(sim_map, dtype=np.float32)
    low, span = sim_map.min(), np.ptp(sim_map)
    if not np.isfinite(span) or span <= 0:
        return np.zeros_like(sim_map)
    return (sim_map - low) / span


def resize_map(sim_map, size: Tuple[int, int]) -> np.ndarray:
    """Bilinear (OpenCV INTER_LINEAR) resize of a raw map to ``size`` (H, W)."""
    sim_map = np.ascontiguousarray(as_map(sim_map), dtype=np.float32)
    return cv2.resize(sim_map, dsize=(size[1], size[0]), interpolation=cv2.INTER_LINEAR)


def predicted_mask(sim_map, size: Tuple[int, int], threshold: Union[float, str] = 0.5
                   ) -> np.ndarray:
    """Binary ``(H, W)`` mask of the prediction: resize, min-max normalise and
    threshold at ``threshold`` (``>=``), or keep the top half of the pixels with
    ``threshold='median'``."""
    resized = resize_map(sim_map, size)
    if not np.all(np.isfinite(resized)):
        raise ValueError('similarity map holds NaN or Inf values')
    heat_map = normalize_map(resized)
    if np.ptp(heat_map) <= 0:  # constant map: empty mask under both protocols
        return np.zeros(heat_map.shape, dtype=np.float64)
    if threshold == 'median':
        cut = np.sort(heat_map.flatten())[int(heat_map.shape[0] * heat_map.shape[1] / 2)]
    else:
        cut = float(threshold)
    return (heat_map >= cut).astype(np.float64)


def ciou_inter_union(sim_map, gt_map, threshold: Union[float, str] = 0.5
                     ) -> Tuple[float, float, float]:
    """``(ciou, inter, union)`` of one sample; see :func:`ciou`."""
    gt_map = np.asarray(as_map(gt_map), dtype=np.float64)
    infer_map = predicted_mask(sim_map, gt_map.shape, threshold)
    inter = float(np.sum(infer_map * gt_map))
    union = float(np.sum(gt_map) + np.sum(infer_map * (gt_map == 0)))
    if np.sum(gt_map) <= 0:
        raise ValueError('ground-truth map is empty: the sample has no (valid) box')
    return inter / union, inter, union


def ciou(sim_map, gt_map, threshold: Union[float, str] = 0.5) -> float:
    """Consensus IoU of one sample.

    Args:
        sim_map: raw map at the network's resolution, e.g. ``(14, 14)``; it is
            resized bilinearly to ``gt_map``'s size, min-max normalised and
            thresholded (``>= threshold``; ``'median'`` keeps the top 50%).
        gt_map: ``(H, W)`` ground truth, consensus-weighted in [0, 1] (Flickr)
            or binary.

    Returns:
        ``sum(pred * gt) / (sum(gt) + sum(pred * (gt == 0)))``.
    """
    return ciou_inter_union(sim_map, gt_map, threshold)[0]


def ciou_auc(cious: Iterable[float]) -> Tuple[float, float]:
    """Dataset ``(cIoU@0.5, AUC)``: the fraction of samples with cIoU >= 0.5, and
    the trapezoidal area under (t, fraction with cIoU >= t), t = 0, 0.05, ..., 1."""
    cious = np.asarray(list(cious), dtype=np.float64)
    if cious.size == 0:
        raise ValueError('ciou_auc of an empty list')
    fractions = [np.sum(cious >= t) / cious.size for t in AUC_THRESHOLDS]
    ciou_at_half = float(np.sum(cious >= 0.5) / cious.size)
    return ciou_at_half, float(np.trapezoid(fractions, AUC_THRESHOLDS))


def flickr_gt_map(xml_path: str, size: int = 224) -> np.ndarray:
    """Consensus-weighted ``(size, size)`` map of a SoundNet-Flickr XML: each
    coordinate scaled with ``int(size * v / 256)``, boxes summed, divided by 2 and
    clipped at 1."""
    boxes = parse_flickr_xml(xml_path)
    if len(boxes) == 0:
        raise ValueError(f'{xml_path}: the annotation holds no <bbox>')
    scaled = [[int(size * v / 256) for v in box] for box in boxes]
    return boxes_to_gt_map(np.asarray(scaled, dtype=np.float64).reshape(-1, 4), size, 'consensus')


def vggss_gt_map(boxes: Sequence[Sequence[float]], size: int = 224) -> np.ndarray:
    """Binary ``(size, size)`` map of VGG-SS boxes ``[[x0, y0, x1, y1], ...]`` in
    [0, 1]: each value becomes ``int(size * max(v, 0))``; boxes are OR-ed."""
    scaled = [[int(size * max(v, 0)) for v in box] for box in boxes]
    return boxes_to_gt_map(np.asarray(scaled, dtype=np.float64).reshape(-1, 4), size, 'union')


def chaotic_world_gt_map(box: Sequence[float], frame_size: Tuple[int, int] = (320, 180),
                         size: int = 224) -> np.ndarray:
    """Binary ``(size, size)`` map of one Chaotic World box ``[x0, y0, x1, y1]`` in
    pixels of a ``frame_size`` = (width, height) frame: x scales by
    ``size / width``, y by ``size / height`` (int)."""
    frame_w, frame_h = frame_size
    x0, y0, x1, y1 = box
    scaled = [int(x0 * size / frame_w), int(y0 * size / frame_h),
              int(x1 * size / frame_w), int(y1 * size / frame_h)]
    return boxes_to_gt_map(np.asarray([scaled], dtype=np.float64), size, 'union')


def center_prior_map(size: Tuple[int, int] = (14, 14), sigma: float = 0.25) -> np.ndarray:
    """A fixed centred Gaussian map (the centre-prior baseline): ``sigma`` is a
    fraction of the map side."""
    height, width = size
    ys = (np.arange(height) + 0.5) / height - 0.5
    xs = (np.arange(width) + 0.5) / width - 0.5
    return np.exp(-(ys[:, None] ** 2 + xs[None, :] ** 2) / (2 * sigma ** 2)).astype(np.float32)


# Every protocol of the field behind one entry point (``protocol_scores``); the
# modules use the functions above, so they are imported last.
from .adaptive import iiou_group  # noqa: E402
from .maps import UPSAMPLE_MODES, upsample_maps  # noqa: E402
from .protocols import (PROTOCOL_OPTIONS, PROTOCOLS, protocol_scores, resolve_options,  # noqa: E402
                        score_samples, summarize_samples)
