"""One entry point for every localisation protocol the field uses.

:func:`protocol_scores` scores ``N`` raw maps (as the model returns them) against
their ground truth under one protocol and returns the per-sample lists and the
dataset figures (every figure a fraction in [0, 1]). It is exactly
:func:`score_samples` followed by :func:`summarize_samples`; the metric
(:class:`sspl.evaluation.LocalizationMetric`) calls the two halves, the
first per batch and the second on the gathered per-sample values, so a test
run and this function give the same numbers.

=================  ====================================================  =========================
protocol           published evaluator                                   default upsampling
=================  ====================================================  =========================
``fixed``          SSPL: min-max map >= 0.5                              OpenCV INTER_LINEAR
``median``         EZ-VSL / FNAC ``test.py``: top half, ``>=``           bilinear, align_corners
``adaptive``       SSLalignment: top half and gt-sized, ``>``; IIoU      bilinear, align_corners
``extended``       SLAVC ``EvaluatorFull``: negatives, AP, F1, LocAcc    bicubic, align_corners
``pointing``       the map's maximum inside the box (sspl's definition)  bilinear, align_corners
``negative_audio`` vssl_eval: pIA and AOC under silence / noise / ...    positive bilinear, ac;
                                                                         negative OpenCV
=================  ====================================================  =========================

``docs/evaluation.md`` has the table of who uses which, what each rewards and
the traps.
"""
from typing import Any, Dict, Mapping, Optional, Sequence

import numpy as np

from . import ciou_inter_union
from .adaptive import adaptive_sample, iiou_group, summarize_adaptive
from .extended import extended_sample, extended_scores, summarize_extended
from .maps import affine_scores, as_maps, upsample_maps
from .median import median_sample, summarize_cious
from .negative_audio import (POSITIVE_VARIANTS, pia_sample, positive_thresholds,
                             summarize_negative_audio)
from .pointing import pointing_sample, summarize_pointing

_UPSAMPLE_DEFAULTS = dict(upsample='bilinear', align_corners=True)
_OBJECT_DEFAULTS = dict(object_maps=None, object_upsample=None, object_align_corners=None)

#: Every option of each protocol with its default (the published evaluator's).
PROTOCOL_OPTIONS: Dict[str, Dict[str, Any]] = {
    'fixed': dict(threshold=0.5, upsample='cv2_linear', align_corners=None),
    'median': dict(_UPSAMPLE_DEFAULTS, strict=False, alpha=0.4, size_fraction=0.5,
                   **_OBJECT_DEFAULTS),
    'adaptive': dict(_UPSAMPLE_DEFAULTS, ids=None, groups=None),
    'extended': dict(upsample='bicubic', align_corners=True, score_range=None,
                     relative_prediction=True, pred_size=0.5, pred_thr=0.5,
                     default_conf_thr=0.5, negative_maps=None, negative_object_maps=None,
                     object_score_range=(0.0, 2.5), alpha=0.9, confidences=None,
                     negative_confidences=None, negative_size=None, **_OBJECT_DEFAULTS),
    'pointing': dict(_UPSAMPLE_DEFAULTS),
    'negative_audio': dict(_UPSAMPLE_DEFAULTS, positive_maps=None, positive_thresholds=None,
                           thresholds={'thr05': 0.5}, negative_upsample='cv2_linear',
                           negative_align_corners=None, score_range=None),
}
PROTOCOLS = tuple(PROTOCOL_OPTIONS)

#: Options that say how to summarise (the others say how to score a sample).
_SUMMARY_OPTIONS = {'adaptive': ('ids', 'groups'), 'extended': ('default_conf_thr',)}

#: Per-sample keys that are figures of negatives, not of the N positives.
NEGATIVE_KEYS = ('conf_negative',)


def resolve_options(protocol: str, options: Mapping[str, Any]) -> Dict[str, Any]:
    """The protocol's defaults updated with ``options``; an unknown protocol or
    option is an error naming the allowed ones."""
    if protocol not in PROTOCOL_OPTIONS:
        raise ValueError(f'unknown protocol {protocol!r}: choose from {PROTOCOLS}')
    allowed = PROTOCOL_OPTIONS[protocol]
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise TypeError(f'protocol {protocol!r} has no option(s) {unknown}; '
                        f'its options are {sorted(allowed)}')
    resolved = dict(allowed)
    resolved.update(options)
    return resolved


def _gt_array(gt_maps, count: int, name: str = 'gt_maps') -> np.ndarray:
    if isinstance(gt_maps, (list, tuple)):
        gt_maps = [g.detach().cpu().numpy() if hasattr(g, 'detach') else np.asarray(g)
                   for g in gt_maps]
        gt_maps = np.stack(gt_maps) if gt_maps else np.zeros((0, 1, 1))
    elif hasattr(gt_maps, 'detach'):
        gt_maps = gt_maps.detach().cpu().numpy()
    gt_maps = np.asarray(gt_maps, dtype=np.float64)
    if gt_maps.ndim == 2:
        gt_maps = gt_maps[None]
    if gt_maps.ndim != 3 or len(gt_maps) != count:
        raise ValueError(f'{name}: expected {count} (H, W) maps, got shape {gt_maps.shape}')
    return gt_maps


def _require_boxes(gt_maps: np.ndarray, protocol: str) -> None:
    if len(gt_maps) == 0:
        return
    empty = [int(i) for i in np.nonzero(gt_maps.reshape(len(gt_maps), -1).sum(1) <= 0)[0]]
    if empty:
        raise ValueError(f'protocol {protocol!r}: ground-truth maps {empty[:10]} are empty '
                         '(a positive sample needs a box; negatives go to the extended '
                         "protocol's negative_maps)")


def _upsampled(maps, size, options, objects: bool = False, name: str = 'maps') -> np.ndarray:
    """Upsample with the protocol's ``upsample`` / ``align_corners``; object
    maps with ``object_upsample`` / ``object_align_corners`` where given."""
    mode, align = options['upsample'], options['align_corners']
    if objects and options['object_upsample'] is not None:
        mode, align = options['object_upsample'], options['object_align_corners']
    elif objects and options['object_align_corners'] is not None:
        align = options['object_align_corners']
    return upsample_maps(as_maps(maps, name), size, mode, align)


def _columns(rows: Sequence[Mapping[str, float]], keys: Sequence[str]) -> Dict[str, list]:
    return {key: [row[key] for row in rows] for key in keys}


def score_samples(protocol: str, raw_maps, gt_maps, **options) -> Dict[str, list]:
    """Per-sample values of ``N`` samples under ``protocol`` (see
    :func:`protocol_scores` for the arguments), as lists of length N
    (``conf_negative``: one per negative of the ``extended`` protocol)."""
    opts = resolve_options(protocol, options)
    maps = as_maps(raw_maps, 'raw_maps')
    count = len(maps)
    if protocol == 'extended' and gt_maps is None and count == 0:
        gts = np.zeros((0, 224, 224))
    else:
        gts = _gt_array(gt_maps, count)
    size = gts.shape[1:]
    if protocol != 'negative_audio':
        _require_boxes(gts, protocol)

    if protocol == 'fixed':
        if opts['upsample'] == 'cv2_linear' and not opts['align_corners']:
            rows = [ciou_inter_union(maps[i], gts[i], opts['threshold']) for i in range(count)]
        else:  # resized first; ciou_inter_union's own resize is then the identity
            resized = upsample_maps(maps, size, opts['upsample'], opts['align_corners'])
            rows = [ciou_inter_union(resized[i], gts[i], opts['threshold'])
                    for i in range(count)]
        return dict(ciou=[r[0] for r in rows], inter=[r[1] for r in rows],
                    union=[r[2] for r in rows])

    if protocol == 'pointing':
        resized = _upsampled(maps, size, opts)
        rows = [pointing_sample(resized[i], gts[i]) for i in range(count)]
        return _columns(rows, ('hit', 'hit_consensus'))

    if protocol == 'adaptive':
        resized = _upsampled(maps, size, opts)
        rows = [adaptive_sample(resized[i], gts[i]) for i in range(count)]
        return _columns(rows, ('ciou', 'ciou_adap', 'inter', 'union', 'threshold',
                               'threshold_adap', 'gt_nums'))

    if protocol == 'median':
        resized = _upsampled(maps, size, opts)
        objects = _object_maps(opts, count, size, 'object_maps')
        rows = [median_sample(resized[i], gts[i], opts['strict'],
                              None if objects is None else objects[i], opts['alpha'],
                              opts['size_fraction']) for i in range(count)]
        return _columns(rows, ('ciou', 'inter', 'union', 'threshold'))

    if protocol == 'extended':
        return _score_extended(maps, gts, opts)

    return _score_negative_audio(maps, gts, opts)


def _object_maps(opts, count, size, key) -> Optional[np.ndarray]:
    if opts.get(key) is None:
        return None
    objects = as_maps(opts[key], key)
    if len(objects) != count:
        raise ValueError(f'{key}: {len(objects)} maps for {count} samples')
    return _upsampled(objects, size, opts, objects=True, name=key)


def _confidences(values, count: int, key: str):
    if values is None:
        return [None] * count
    values = [float(v) for v in np.asarray(values, dtype=np.float64).reshape(-1)]
    if len(values) != count:
        raise ValueError(f'{key}: {len(values)} values for {count} samples')
    return values


def _score_extended(maps: np.ndarray, gts: np.ndarray, opts) -> Dict[str, list]:
    size = gts.shape[1:]
    negative_size = opts['negative_size'] or (size if len(gts) else (224, 224))
    sample_opts = dict(relative_prediction=opts['relative_prediction'],
                       pred_size=opts['pred_size'], pred_thr=opts['pred_thr'])
    score_opts = dict(score_range=opts['score_range'],
                      object_score_range=opts['object_score_range'], alpha=opts['alpha'])

    def clips(raw, object_key, conf_key, gt, size):
        resized = _upsampled(raw, size, opts)
        objects = _object_maps(opts, len(resized), size, object_key)
        confs = _confidences(opts[conf_key], len(resized), conf_key)
        return [extended_sample(
            extended_scores(resized[i], object_map=None if objects is None else objects[i],
                            **score_opts),
            None if gt is None else gt[i], confidence=confs[i], **sample_opts)
            for i in range(len(resized))]

    positives = clips(maps, 'object_maps', 'confidences', gts, size)
    negatives = [] if opts['negative_maps'] is None else clips(
        as_maps(opts['negative_maps'], 'negative_maps'), 'negative_object_maps',
        'negative_confidences', None, tuple(negative_size))
    per_sample = _columns(positives, ('ciou', 'conf', 'gt_area'))
    per_sample['conf_negative'] = [row['conf'] for row in negatives]
    return per_sample


def _score_negative_audio(maps: np.ndarray, gts: np.ndarray, opts) -> Dict[str, list]:
    count, size = len(maps), gts.shape[1:]
    if (opts['positive_maps'] is None) == (opts['positive_thresholds'] is None):
        raise ValueError("protocol 'negative_audio' needs positive_maps= (the same images with "
                         'their own audio) or positive_thresholds= (their thrciou / '
                         'thrciouadap), one of the two')
    if opts['positive_maps'] is not None:
        if len(as_maps(opts['positive_maps'], 'positive_maps')) != count:
            raise ValueError(f'positive_maps: one map per negative map ({count}) is needed')
        image_thresholds = negative_audio_positive_thresholds(
            opts['positive_maps'], gts, upsample=opts['upsample'],
            align_corners=opts['align_corners'], score_range=opts['score_range'])
    else:
        image_thresholds = {key: [float(v) for v in opts['positive_thresholds'][key]]
                            for key in POSITIVE_VARIANTS}
        if any(len(values) != count for values in image_thresholds.values()):
            raise ValueError(f'positive_thresholds: need {count} values of each of '
                             f'{POSITIVE_VARIANTS}')
    per_sample = negative_audio_pia(maps, size, opts['thresholds'], image_thresholds,
                                    opts['negative_upsample'], opts['negative_align_corners'],
                                    opts['score_range'])
    per_sample['threshold_ciou'] = image_thresholds['thrciou']
    per_sample['threshold_ciouadap'] = image_thresholds['thrciouadap']
    return per_sample


def negative_audio_positive_thresholds(positive_maps, gt_maps, upsample: str = 'bilinear',
                                       align_corners: Optional[bool] = True,
                                       score_range=None) -> Dict[str, list]:
    """``thrciou`` and ``thrciouadap`` of each image from its own-audio map
    (the first half of the ``negative_audio`` protocol; the metric computes
    them on the positive samples and pairs them with the negative-audio ones)."""
    positives = as_maps(positive_maps, 'positive_maps')
    gts = _gt_array(gt_maps, len(positives))
    positives = upsample_maps(affine_scores(positives, score_range), gts.shape[1:], upsample,
                              align_corners)
    rows = [positive_thresholds(positives[i], gts[i]) for i in range(len(positives))]
    return _columns(rows, POSITIVE_VARIANTS)


def negative_audio_pia(negative_maps, size, thresholds: Mapping[str, float],
                       image_thresholds: Mapping[str, Sequence[float]],
                       upsample: str = 'cv2_linear', align_corners: Optional[bool] = None,
                       score_range=None) -> Dict[str, list]:
    """``pia_<v>`` of each negative-audio map (the second half of the
    ``negative_audio`` protocol): the constant ``thresholds`` by name and the
    per-image ``image_thresholds`` (``thrciou``, ``thrciouadap`` lists)."""
    maps = as_maps(negative_maps, 'negative_maps')
    negatives = upsample_maps(affine_scores(maps, score_range), size, upsample, align_corners)
    constants = dict(thresholds or {})
    clash = sorted(set(constants) & set(POSITIVE_VARIANTS))
    if clash:
        raise ValueError(f'thresholds: {clash} are computed from the positive maps')
    order = _variant_order({**constants, **dict.fromkeys(POSITIVE_VARIANTS)})
    rows = []
    for i in range(len(negatives)):
        named = dict(constants)
        named.update({key: image_thresholds[key][i] for key in POSITIVE_VARIANTS})
        rows.append(pia_sample(negatives[i], {key: named[key] for key in order}))
    return _columns(rows, [f'pia_{v}' for v in order])


def _variant_order(named: Mapping[str, Any]):
    """thr05 first, then the two per-image thresholds, then the constants."""
    first = [key for key in ('thr05',) if key in named]
    rest = [key for key in named if key not in first and key not in POSITIVE_VARIANTS]
    return first + list(POSITIVE_VARIANTS) + rest


def summarize_samples(protocol: str, per_sample: Mapping[str, Sequence[float]], **options
                      ) -> Dict[str, float]:
    """Dataset figures of ``protocol`` from :func:`score_samples`' lists (those
    of all samples, gathered)."""
    opts = resolve_options(protocol, options)
    if protocol in ('fixed', 'median'):
        return summarize_cious(per_sample['ciou'])
    if protocol == 'pointing':
        return summarize_pointing(per_sample['hit'], per_sample['hit_consensus'])
    if protocol == 'adaptive':
        groups = opts['groups']
        if groups is None and opts['ids'] is not None:
            groups = [iiou_group(sample_id) for sample_id in opts['ids']]
        return summarize_adaptive(per_sample['ciou'], per_sample['ciou_adap'], groups)
    if protocol == 'extended':
        return summarize_extended(per_sample['ciou'], per_sample['conf'],
                                  per_sample.get('conf_negative', ()),
                                  opts['default_conf_thr'])
    return summarize_negative_audio(per_sample)


def split_options(protocol: str, options: Mapping[str, Any]):
    """``(score options, summary options)`` of a protocol's options."""
    summary_keys = _SUMMARY_OPTIONS.get(protocol, ())
    return ({k: v for k, v in options.items() if k not in summary_keys},
            {k: v for k, v in options.items() if k in summary_keys})


def protocol_scores(raw_maps, gt_maps, protocol: str, **options) -> Dict[str, Any]:
    """Score ``N`` samples under one protocol.

    Args:
        raw_maps: ``(N, h, w)`` float32 maps as the model returns them
            (before any upsampling or normalisation), tensor or array.
        gt_maps: ``(N, H, W)`` ground truth, 0/1 or Flickr's 0/0.5/1 consensus;
            the maps are upsampled to ``(H, W)``.
        protocol: one of :data:`PROTOCOLS`.
        **options: the protocol's options (:data:`PROTOCOL_OPTIONS` lists them
            with their defaults, the published evaluator's):

            - all but ``fixed``'s legacy path: ``upsample`` (``'bilinear'``,
              ``'bicubic'`` or ``'cv2_linear'``) and ``align_corners``;
            - ``fixed``: ``threshold`` (0.5);
            - ``median``: ``strict`` (``>`` instead of ``>=``, as LVS),
              ``object_maps`` + ``alpha`` (OGL fusion, 0.4), ``object_upsample``
              / ``object_align_corners`` (default: those of the maps);
            - ``adaptive``: ``ids`` (the N sample ids: IIoU groups by
              SSLalignment's rule) or ``groups`` (the N group keys);
            - ``extended``: ``score_range`` (the raw maps' bounds, e.g.
              ``(-1/tau, 1/tau)``; None: the maps are already scores in [0, 1]),
              ``negative_maps`` (the negatives' raw maps), ``relative_prediction``,
              ``pred_size``, ``pred_thr``, ``default_conf_thr``,
              ``confidences`` / ``negative_confidences`` (the method's own,
              instead of the map's), ``object_maps`` / ``negative_object_maps``,
              ``object_score_range`` ((0, 2.5)), ``alpha`` (0.9), ``negative_size``
              (the negatives' frame, default the gt maps' size, else 224 x 224);
            - ``negative_audio``: ``raw_maps`` are the maps under one kind of
              negative audio, ``positive_maps`` the same images with their own
              audio (or ``positive_thresholds``), ``thresholds`` the constant
              ones by name ({'thr05': 0.5} by default), ``score_range`` (None: the
              maps are on the (cos + 1) / 2 scale already),
              ``negative_upsample`` / ``negative_align_corners``.

    Returns:
        The per-sample lists (``ciou`` ... ; ``conf_negative`` per negative)
        and the dataset figures, each a fraction in [0, 1]:

        - ``fixed``, ``median``: ``ciou``, ``inter``, ``union`` (and
          ``threshold`` for median); ``cIoU``, ``AUC``, ``mean_cIoU``;
        - ``adaptive``: ``ciou``, ``ciou_adap``; ``cIoU``, ``AUC``, ``mIoU``,
          ``cIoU_adap``, ``AUC_adap``, ``IIoU``, ``IIoU_adap``, ``IAUC``,
          ``IAUC_adap``;
        - ``extended``: ``ciou``, ``conf``, ``gt_area``, ``conf_negative``;
          ``AP``, ``max_F1``, ``F1_at_default_conf``, ``LocAcc``,
          ``precision_at_50_strict``, ``AUC``, ``AP@75``, ``max_F1@75``,
          ``LocAcc@75``;
        - ``pointing``: ``hit``, ``hit_consensus``; ``pointing_game``,
          ``pointing_game_consensus``;
        - ``negative_audio``: ``pia_<v>`` for v in ``thr05``, ``thrciou``,
          ``thrciouadap`` and the named constants; ``pIA_<v>``, ``AOC_<v>``.
    """
    resolved = resolve_options(protocol, options)
    score_opts, summary_opts = split_options(protocol, options)
    if protocol == 'adaptive' and resolved['ids'] is not None \
            and len(resolved['ids']) != len(as_maps(raw_maps, 'raw_maps')):
        raise ValueError('ids: one id per map is needed')
    per_sample = score_samples(protocol, raw_maps, gt_maps, **score_opts)
    figures = summarize_samples(protocol, per_sample, **summary_opts)
    return {**per_sample, **figures}
