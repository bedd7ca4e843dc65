"""The ``extended`` protocol: SLAVC's evaluator (``utils.EvaluatorFull``) with
negatives, clips whose audio does not belong to the frame (no box).

Per clip, as SLAVC's ``test.py`` computes it (``train.py``'s validation: the
same with bicubic, align_corners=False and relative prediction):

1. the raw map is upsampled to 224 x 224 (bicubic, align_corners=True) and
   turned into scores in [0, 1] with fixed bounds, ``(x - low) / (high - low)``
   (SLAVC: ``(-1/tau, 1/tau)``; its object prior ``(0, 2.5)``); OGL fusion:
   ``alpha * scores_av + (1 - alpha) * scores_obj`` (alpha 0.9 in its scripts);
2. confidence = the mean of the largest quarter of the scores
   (``np.sort(s)[-n // 4:].mean()``), or the method's own ``pred_score``;
3. ``relative_prediction=True`` (the README's command): the scores are
   min-max normalised and thresholded at their sorted value of index
   ``int(pred_size * n)``; False (the test scripts): thresholded at
   ``pred_thr`` (0.5); the prediction is ``>=`` the threshold;
4. cIoU as everywhere; a negative has no box.

Counting (``calc_precision_recall``) at confidence threshold t: a negative
with confidence >= t is a false positive; a positive with confidence >= t is
a true positive if its cIoU >= the IoU threshold (0.5 or 0.75), else a false
positive; below t a false negative; precision (recall) is 1 when its
denominator is 0. ``AP``: thresholds ``sort(conf)[:-1][::-max(1, N // 200)]``,
precision made monotone (max over the rest), ``sum(p_max[i] * (r[i+1] - r[i]))``.
F1 curve: thresholds ``sorted(conf)[::max(1, N // 10)]``.
"""
import math
from typing import Dict, List, Optional, Sequence

import numpy as np

from . import AUC_THRESHOLDS
from .maps import affine_scores, auc_of_fractions, ciou_of_mask, normalize_keep_flat, sorted_value

SIZE_SUBSETS = {'small': (0, 32 ** 2), 'medium': (32 ** 2, 96 ** 2),
                'large': (96 ** 2, 144 ** 2), 'huge': (144 ** 2, 10000 ** 2)}


def extended_scores(pred_map: np.ndarray, score_range: Optional[Sequence[float]] = None,
                    object_map: Optional[np.ndarray] = None,
                    object_score_range: Optional[Sequence[float]] = (0.0, 2.5),
                    alpha: float = 0.9) -> np.ndarray:
    """The score map of one clip from its upsampled float32 map(s) ``(H, W)``."""
    scores = affine_scores(pred_map, score_range)
    if object_map is not None:
        scores = scores * alpha + affine_scores(object_map, object_score_range) * (1 - alpha)
    return scores


def map_confidence(scores: np.ndarray) -> float:
    """SLAVC's clip confidence: the mean of the largest quarter of the scores."""
    n = scores.size
    return float(np.sort(scores.flatten())[-n // 4:].mean())


def extended_sample(scores: np.ndarray, gt_map: Optional[np.ndarray],
                    relative_prediction: bool = True, pred_size: float = 0.5,
                    pred_thr: float = 0.5, confidence: Optional[float] = None
                    ) -> Dict[str, float]:
    """One clip: ``conf`` and, with a ``gt_map`` (a positive), ``ciou`` and
    ``gt_area`` (SLAVC's ``area``, the sum of the gt map)."""
    conf = map_confidence(scores) if confidence is None else float(confidence)
    if gt_map is None:
        return dict(conf=conf)
    if relative_prediction:
        pred = normalize_keep_flat(scores)
        threshold = sorted_value(pred, int(scores.size * pred_size))
    else:
        pred, threshold = scores, pred_thr
    ciou = ciou_of_mask(pred >= threshold, gt_map)[0]
    return dict(ciou=ciou, conf=conf, gt_area=float(gt_map.sum()))


def precision_recall(n_boxes: Sequence[int], cious: Sequence[float], confs: Sequence[float],
                     conf_thr: float, ciou_thr: float = 0.5):
    """``(precision, recall)`` at one confidence threshold (SLAVC's counting)."""
    true_pos = false_pos = false_neg = 0
    for boxes, ciou, conf in zip(n_boxes, cious, confs):
        if boxes == 0:
            if conf >= conf_thr:
                false_pos += 1
        elif conf >= conf_thr:
            if ciou >= ciou_thr:
                true_pos += 1
            else:
                false_pos += 1
        else:
            false_neg += 1
    precision = 1. if true_pos + false_pos == 0 else true_pos / (true_pos + false_pos)
    recall = 1. if true_pos + false_neg == 0 else true_pos / (true_pos + false_neg)
    return precision, recall


def precision_recall_curve(n_boxes, cious, confs, ciou_thr: float = 0.5):
    """The precision-recall curve :func:`average_precision` integrates:
    ``(recall, precision, precision_max, thresholds)`` at SLAVC's thresholds
    (``sort(conf)[:-1][::-max(1, N // 200)]``, descending, so recall grows),
    ``precision_max[i]`` the best precision at recall >= ``recall[i]``."""
    step = max(1, len(cious) // 200)
    thresholds = list(np.sort(np.array(confs))[:-1][::-step])
    precision, recall = [], []
    for thr in thresholds:
        p, r = precision_recall(n_boxes, cious, confs, thr, ciou_thr)
        precision.append(p)
        recall.append(r)
    precision_max = [float(np.max(precision[i:])) for i in range(len(precision))]
    return recall, precision, precision_max, [float(t) for t in thresholds]


def average_precision(n_boxes, cious, confs, ciou_thr: float = 0.5) -> float:
    """SLAVC's ``calc_ap``."""
    recall, _, precision_max, _ = precision_recall_curve(n_boxes, cious, confs, ciou_thr)
    return float(sum(precision_max[i] * (recall[i + 1] - recall[i])
                     for i in range(len(precision_max) - 1)))


def f1_curve(n_boxes, cious, confs, ciou_thr: float = 0.5) -> List[float]:
    """F1 at the confidences ``sorted(conf)[::max(1, N // 10)]`` (SLAVC's
    ``finalize_stats``, which prints them as a string of percentages)."""
    thresholds = list(sorted(confs))[::max(1, len(confs) // 10)]
    curve = []
    for thr in thresholds:
        p, r = precision_recall(n_boxes, cious, confs, thr, ciou_thr)
        curve.append(2 * r * p / (r + p) if r + p > 0 else 0.)
    return curve


def f1_at(n_boxes, cious, confs, conf_thr: float, ciou_thr: float = 0.5) -> float:
    p, r = precision_recall(n_boxes, cious, confs, conf_thr, ciou_thr)
    return 2 * p * r / (p + r) if (p + r) > 0 else 0.


def _success_auc(cious: Sequence[float]) -> float:
    cious = np.asarray(cious, dtype=np.float64)
    return auc_of_fractions([np.sum(cious >= t) / len(cious) for t in AUC_THRESHOLDS],
                            AUC_THRESHOLDS)


def _lists(ciou, conf, conf_negative, gt_area=None):
    n_boxes = [1] * len(ciou) + [0] * len(conf_negative)
    cious = list(ciou) + [0.0] * len(conf_negative)  # never read for a negative
    confs = list(conf) + list(conf_negative)
    areas = (list(gt_area) if gt_area is not None else [float('nan')] * len(ciou)) \
        + [0.0] * len(conf_negative)
    return n_boxes, cious, confs, areas


def summarize_extended(ciou: Sequence[float], conf: Sequence[float],
                       conf_negative: Sequence[float] = (), default_conf_thr: float = 0.5
                       ) -> Dict[str, float]:
    """Dataset figures: ``AP``, ``max_F1``, ``F1_at_default_conf`` (confidence
    >= ``default_conf_thr``), ``LocAcc`` (positives with cIoU >= 0.5, SLAVC's
    ``Precision-visible@50``), ``precision_at_50_strict`` (cIoU > 0.5, what
    its ``train.py`` selects on), ``AUC`` (positives), and ``AP@75``,
    ``max_F1@75``, ``LocAcc@75`` at IoU 0.75. All over positives and
    negatives unless said."""
    if len(ciou) == 0:
        raise ValueError('extended protocol: no positive sample')
    n_boxes, cious, confs, _ = _lists(ciou, conf, conf_negative)
    figures = {}
    for ciou_thr, suffix in ((0.5, ''), (0.75, '@75')):
        figures[f'AP{suffix}'] = average_precision(n_boxes, cious, confs, ciou_thr)
        figures[f'max_F1{suffix}'] = float(max(f1_curve(n_boxes, cious, confs, ciou_thr)))
        figures[f'LocAcc{suffix}'] = precision_recall([1] * len(ciou), ciou, conf, -1000,
                                                      ciou_thr)[0]
        if not suffix:
            figures['F1_at_default_conf'] = f1_at(n_boxes, cious, confs, default_conf_thr)
            figures['precision_at_50_strict'] = float(np.mean(np.asarray(ciou) > 0.5))
            figures['AUC'] = _success_auc(ciou)
    return figures


def finalize_stats(ciou: Sequence[float], conf: Sequence[float], conf_negative: Sequence[float],
                   gt_area: Sequence[float], iou_thrs=(0.5, 0.75)) -> Dict[str, object]:
    """SLAVC's ``EvaluatorFull.finalize_stats`` dict, as it returns it:
    ``Precision``, ``F1`` (a string of percentages with one decimal, or NaN),
    ``AP`` and ``AUC`` per subset ``all``, ``visible``, ``small``, ``medium``,
    ``large``, ``huge`` (gt area < 32², 96², 144², above) and IoU threshold;
    NaN for an empty subset. Kept for reading published logs; the protocol's
    figures are :func:`summarize_extended`'s."""
    n_boxes, cious, confs, areas = _lists(ciou, conf, conf_negative, gt_area)
    stats: Dict[str, object] = {}
    for iou_thr in iou_thrs:
        for subset in ('all', 'visible', 'small', 'medium', 'large', 'huge'):
            if subset == 'all':
                keep = list(range(len(n_boxes)))
            elif subset == 'visible':
                keep = [i for i, boxes in enumerate(n_boxes) if boxes > 0]
            else:
                low, high = SIZE_SUBSETS[subset]
                keep = [i for i, area in enumerate(areas)
                        if low <= area < high and n_boxes[i] > 0]
            name = f'{subset}@{int(iou_thr * 100)}'
            if not keep:
                stats.update({f'Precision-{name}': math.nan, f'F1-{name}': math.nan,
                              f'AP-{name}': math.nan, f'AUC-{name}': math.nan})
                continue
            sub_boxes = [n_boxes[i] for i in keep]
            sub_cious = [cious[i] for i in keep]
            sub_confs = [confs[i] for i in keep]
            stats[f'Precision-{name}'] = precision_recall(sub_boxes, sub_cious, sub_confs,
                                                          -1000, iou_thr)[0]
            stats[f'F1-{name}'] = ' '.join(f'{f * 100:.1f}' for f in
                                           f1_curve(sub_boxes, sub_cious, sub_confs, iou_thr))
            stats[f'AP-{name}'] = average_precision(sub_boxes, sub_cious, sub_confs, iou_thr)
            stats[f'AUC-{name}'] = _success_auc([c for c, b in zip(sub_cious, sub_boxes) if b > 0])
    return stats
