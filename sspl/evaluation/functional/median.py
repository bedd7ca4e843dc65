"""The ``median`` protocol: keep the top half of the pixels (LVS, EZ-VSL, FNAC).

As EZ-VSL's ``test.py`` (``utils.Evaluator``) and FNAC's ``validate`` /
``validate2`` compute it, per sample:

1. the raw map is upsampled to the ground truth (bilinear, align_corners=True
   in both test scripts; bicubic, align_corners=False in EZ-VSL's ``train.py``
   validation and for FNAC ``validate2``'s audio-visual map);
2. it is min-max normalised by its own extremes; a flat map is left as it is;
3. with an object-prior map (OGL): that map is upsampled and normalised the
   same way and ``fused = normalise(alpha * av + (1 - alpha) * obj)``;
4. the threshold is the value at index ``int(0.5 * H * W)`` of the sorted map
   and the prediction is ``map >= threshold`` (EZ-VSL, FNAC); LVS and SSLalignment
   write ``>`` (``strict=True``). With ``>=`` a flat map predicts
   every pixel, with ``>`` none.

cIoU = sum(pred * gt) / (sum(gt) + sum(pred * [gt == 0])); over the dataset:
``cIoU`` the fraction with cIoU >= 0.5, ``AUC`` the area under the success
rate at 0.05 * i, ``mean_cIoU``.
"""
from typing import Dict, List, Optional

import numpy as np

from . import ciou_auc  # defined in the package before its submodules are imported
from .maps import ciou_of_mask, normalize_keep_flat, sorted_value


def median_sample(pred_map: np.ndarray, gt_map: np.ndarray, strict: bool = False,
                  object_map: Optional[np.ndarray] = None, alpha: float = 0.4,
                  size_fraction: float = 0.5) -> Dict[str, float]:
    """One sample, from its upsampled float32 map(s) ``(H, W)``.

    Returns ``ciou``, ``inter``, ``union`` and the ``threshold`` used.
    """
    pred = normalize_keep_flat(pred_map)
    if object_map is not None:
        pred_obj = normalize_keep_flat(object_map)
        pred = normalize_keep_flat(pred * alpha + pred_obj * (1 - alpha))
    threshold = sorted_value(pred, int(pred.shape[0] * pred.shape[1] * size_fraction))
    infer = pred > threshold if strict else pred >= threshold
    ciou, inter, union = ciou_of_mask(infer, gt_map)
    return dict(ciou=ciou, inter=inter, union=union, threshold=float(threshold))


def summarize_cious(cious: List[float]) -> Dict[str, float]:
    """``cIoU`` (fraction >= 0.5), ``AUC`` and ``mean_cIoU`` of per-sample cIoUs."""
    ciou_at_half, auc = ciou_auc(cious)
    return dict(cIoU=ciou_at_half, AUC=auc, mean_cIoU=float(np.mean(cious)))
