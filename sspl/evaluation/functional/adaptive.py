"""The ``adaptive`` protocol: SSLalignment's adaptive-threshold cIoU, IIoU and IAUC.

As ``kaistmm/SSLalignment`` ``test.py:validate`` with ``utils.Evaluator_iiou``
computes it, per sample, from the map upsampled to the ground truth
(bilinear, align_corners=True) and min-max normalised (a flat map is left as
it is):

- ``ciou``: threshold = the sorted map at index ``int(0.5 * H * W)``,
  prediction = pixels **strictly greater** than it (at most half the frame
  minus one pixel: the full-frame box scores 25087 / 50176 = 0.49998, not 0.5);
- ``ciou_adap``: threshold = the sorted map at index ``H * W - gt_nums``
  (``gt_nums`` the number of non-zero gt pixels, ``H * W // 2`` when there are
  none), again strictly greater: at most ``gt_nums - 1`` pixels.

Over the dataset: ``cIoU`` / ``cIoU_adap`` (fraction >= 0.5), ``AUC`` /
``AUC_adap``, ``mIoU`` (the mean cIoU: SSLalignment's ``finalize_cIoU``), and
per group of samples showing the same image (IS3's
``<classes>_<number>_<target>`` ids): ``IIoU`` (``_adap``), the fraction of
groups whose samples **all** reach 0.5, and ``IAUC`` (``_adap``), its area over
the thresholds 0.05 * i.
"""
from typing import Dict, List, Optional, Sequence

import numpy as np

from . import AUC_THRESHOLDS, ciou_auc
from .maps import auc_of_fractions, ciou_of_mask, normalize_keep_flat, sorted_value


def iiou_group(sample_id: str) -> str:
    """SSLalignment's group key of a sample id: the part after the last '/',
    without '.jpg', split on '_' and rejoined without its last field
    (``'male_car_7388_male'`` -> ``'male_car_7388'``; an id without '_' gives
    ``''``, so all such samples form one group)."""
    return '_'.join(str(sample_id).split('/')[-1].replace('.jpg', '').split('_')[:-1])


def adaptive_sample(pred_map: np.ndarray, gt_map: np.ndarray) -> Dict[str, float]:
    """One sample from its upsampled float32 map ``(H, W)``: ``ciou``,
    ``inter``, ``union``, ``threshold``, ``ciou_adap``, ``threshold_adap``,
    ``gt_nums``."""
    pred = normalize_keep_flat(pred_map)
    num_pixels = int(pred.shape[0] * pred.shape[1])
    threshold = sorted_value(pred, int(num_pixels * 0.5))
    ciou, inter, union = ciou_of_mask(pred > threshold, gt_map)
    gt_nums = int((gt_map != 0).sum())
    if gt_nums == 0:
        gt_nums = num_pixels // 2
    threshold_adap = sorted_value(pred, num_pixels - gt_nums)
    ciou_adap = ciou_of_mask(pred > threshold_adap, gt_map)[0]
    return dict(ciou=ciou, inter=inter, union=union, threshold=float(threshold),
                ciou_adap=ciou_adap, threshold_adap=float(threshold_adap),
                gt_nums=float(gt_nums))


def _group_success(cious: Sequence[float], groups: Sequence[str], threshold: float) -> float:
    """Mean over groups of min over the group's samples of [ciou >= threshold]."""
    by_group: Dict[str, List[float]] = {}
    for ciou, group in zip(cious, groups):
        by_group.setdefault(group, []).append(ciou)
    return float(np.mean([float(np.min(np.asarray(values) >= threshold))
                          for values in by_group.values()]))


def summarize_adaptive(ciou: Sequence[float], ciou_adap: Sequence[float],
                       groups: Optional[Sequence[str]] = None) -> Dict[str, float]:
    """Dataset figures of the adaptive protocol; ``groups`` (one key per
    sample, see :func:`iiou_group`) default to one group per sample."""
    if len(ciou) == 0:
        raise ValueError('adaptive protocol: no samples')
    if groups is None:
        groups = [str(index) for index in range(len(ciou))]
    if len(groups) != len(ciou):
        raise ValueError(f'adaptive protocol: {len(groups)} group keys for {len(ciou)} samples')
    ciou_at_half, auc = ciou_auc(ciou)
    ciou_adap_at_half, auc_adap = ciou_auc(ciou_adap)
    iauc = auc_of_fractions([_group_success(ciou, groups, t) for t in AUC_THRESHOLDS],
                            AUC_THRESHOLDS)
    iauc_adap = auc_of_fractions([_group_success(ciou_adap, groups, t) for t in AUC_THRESHOLDS],
                                 AUC_THRESHOLDS)
    return dict(cIoU=ciou_at_half, AUC=auc, mIoU=float(np.mean(ciou)),
                cIoU_adap=ciou_adap_at_half, AUC_adap=auc_adap,
                IIoU=_group_success(ciou, groups, 0.5),
                IIoU_adap=_group_success(ciou_adap, groups, 0.5),
                IAUC=iauc, IAUC_adap=iauc_adap)
