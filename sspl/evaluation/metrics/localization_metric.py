"""Every localisation protocol of the field from one pass of maps."""
import json
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from sspl.evaluation.functional import (AUC_THRESHOLDS, PROTOCOLS, as_map, resolve_options,
                                        score_samples, summarize_samples)
from sspl.evaluation.functional.negative_audio import summarize_negative_audio
from sspl.evaluation.functional.protocols import (negative_audio_pia,
                                                  negative_audio_positive_thresholds,
                                                  split_options)
from sspl.registry import METRICS
from sspl.utils.atomic_io import atomic_write_text

DEFAULT_PROTOCOLS = ('fixed', 'median', 'pointing')
#: ``protocols='all'``: every protocol, SLAVC's two modes (relative prediction
#: on: its README; off: its test scripts) and the negative-audio probes.
ALL_PROTOCOLS = ('fixed', 'median', 'pointing', 'adaptive', dict(type='extended'),
                 dict(type='extended', name='extended_abs', relative_prediction=False),
                 dict(type='negative_audio'))
#: ``score_range`` not given (a protocol that needs one then says so)
_UNSET = object()

#: The per-sample values each protocol keeps of a positive sample.
POSITIVE_FIELDS = {
    'fixed': ('ciou', 'inter', 'union'),
    'median': ('ciou', 'inter', 'union'),
    'adaptive': ('ciou', 'ciou_adap', 'inter', 'union'),
    'extended': ('ciou', 'conf', 'gt_area'),
    'pointing': ('hit', 'hit_consensus'),
    'negative_audio': ('threshold_ciou', 'threshold_ciouadap'),
}
#: Options the data give, per sample; a config cannot set them.
DATA_OPTIONS = frozenset({'ids', 'groups', 'object_maps', 'negative_maps', 'negative_object_maps',
                          'confidences', 'negative_confidences', 'negative_size',
                          'positive_maps', 'positive_thresholds'})
#: Protocols whose thresholds assume a value scale: the config says the map's.
NEEDS_SCORE_RANGE = ('extended', 'negative_audio')
CIOU_FIGURES = ('cIoU', 'AUC', 'mean_cIoU')


class _Protocol:
    """One configured protocol: its type, the name its keys carry, its options."""

    def __init__(self, spec: Union[str, dict], fixed_threshold: float, owner: str,
                 score_range: Any = _UNSET):
        if isinstance(spec, str):
            spec = dict(type=spec)
        if not isinstance(spec, dict) or 'type' not in spec:
            raise ValueError(f"{owner}: each of protocols must be a name or a dict with 'type', "
                             f'got {spec!r}')
        spec = dict(spec)
        if spec.get('type') in NEEDS_SCORE_RANGE and score_range is not _UNSET:
            spec.setdefault('score_range', score_range)
        self.type = spec.pop('type')
        self.name = str(spec.pop('name', self.type))
        if self.type not in PROTOCOLS:
            raise ValueError(f'{owner}: unknown protocol {self.type!r}: choose from {PROTOCOLS}')
        given = sorted(DATA_OPTIONS & set(spec))
        if given:
            raise ValueError(f'{owner}: protocol {self.name!r}: {given} come from the data '
                             '(per sample), not from the config')
        if self.type in NEEDS_SCORE_RANGE and 'score_range' not in spec:
            raise ValueError(
                f'{owner}: protocol {self.name!r} needs score_range=(low, high), the value range '
                "of the method's raw map, which its thresholds assume: (-1, 1) for cosine maps, "
                '(-1/tau, 1/tau) for cosine/tau logits, None if the maps already are scores in '
                "[0, 1]; give it to the protocol or to the metric (the method's config: "
                'test_evaluator = dict(score_range=...))')
        if self.type == 'fixed':
            spec.setdefault('threshold', fixed_threshold)
        try:
            self.resolved = resolve_options(self.type, spec)
        except TypeError as exc:
            raise TypeError(f'{owner}: {exc}') from exc
        self.options, self.summary_options = split_options(self.type, spec)

    def describe(self) -> str:
        opts = self.resolved
        text = {
            'fixed': f"min-max normalised map >= {opts.get('threshold', 0.5):g}, as SSPL",
            'median': 'top 50% of the pixels, map {} its median (LVS, EZ-VSL, FNAC, SSL-TIE)'
                      .format('>' if opts.get('strict') else '>='),
            'adaptive': "SSLalignment: top 50% and the gt's area (map > threshold), IIoU / IAUC "
                        'over the samples of one image',
            'extended': 'SLAVC: positives and negatives; AP, max-F1 and LocAcc at IoU 0.5 '
                        "(and 0.75), relative prediction "
                        f"{'on' if opts.get('relative_prediction') else 'off'}",
            'pointing': "the map's maximum inside the box (gt > 0; tied peaks share the hit)",
            'negative_audio': 'vssl_eval: pIA / AOC, the area lit up under silence, noise or '
                              'off-screen audio',
        }[self.type]
        mode = opts['upsample']
        align = opts.get('align_corners')
        upsampling = mode + (', align_corners' if align else '')
        if self.type == 'negative_audio':
            upsampling += f"; negatives {opts['negative_upsample']}"
        return f'{text}; upsampled {upsampling}'


@METRICS.register_module()
class LocalizationMetric(BaseMetric):
    """Sound source localisation under every protocol the field uses, from one
    pass of maps (:func:`sspl.evaluation.functional.protocol_scores`'s halves:
    each sample scored in :meth:`process`, the dataset figures in
    :meth:`compute_metrics`).

    Per sample the metric reads ``pred_sim_map`` ``(h, w)`` (the localizer's
    raw map), ``gt_map`` ``(H, W)``, ``pred_score`` where the method has one,
    and three metainfo keys:

    - ``is_negative``: a clip whose audio does not belong to the frame (no
      box); only the ``extended`` protocol scores it (a counted skip
      otherwise);
    - ``negative_audio`` (``'silence'``, ``'noise'``, ``'offscreen'``, ...)
      and ``pair_id`` (the ``sample_id`` of the same frame with its own audio,
      a positive of the same evaluation): a negative-audio probe, scored by the
      ``negative_audio`` protocol per kind.

    Every other sample is a positive and needs a non-empty ``gt_map``.

    Reported keys: ``fixed`` as ``cIoU``, ``AUC``, ``mean_cIoU`` when it is
    ``protocol`` (else with the suffix ``_fixed``), ``median`` likewise
    (``cIoU_median`` ...), ``pointing`` as ``pointing_game`` and
    ``pointing_game_consensus``; any other protocol as ``<name>/<figure>``
    (``adaptive/IIoU``, ``extended/AP``), negative audio as
    ``<name>/<kind>/<figure>`` (``negative_audio/silence/pIA_thr05``).

    Args:
        protocols: the protocols to compute, names or dicts
            ``dict(type=..., name=..., **options)`` (options: those of
            :data:`sspl.evaluation.functional.PROTOCOL_OPTIONS` that are not
            data; ``name`` tells two instances of one type apart). ``extended``
            and ``negative_audio`` need ``score_range``. Default: ``fixed``,
            ``median`` and ``pointing``; ``'all'``: :data:`ALL_PROTOCOLS`
            (every protocol, ``extended`` with relative prediction on and
            off (``extended_abs``), ``negative_audio``).
        score_range: the value range ``(low, high)`` of the method's raw
            map (``None``: already scores in [0, 1]), for the protocols that
            need one and do not give their own: a property of the method, so
            a test-set config lists the protocols and the method's config
            says ``test_evaluator = dict(score_range=(-1, 1))``.
        protocol: ``'fixed'`` or ``'median'``: the one reported as ``cIoU`` /
            ``AUC`` / ``mean_cIoU`` (what ``save_best='cIoU'`` selects on);
            default the first of the two in ``protocols``.
        threshold: the fixed protocol's threshold (0.5).
        use_pred_score: the extended protocol takes the localizer's
            ``pred_score`` as the clip's confidence where there is one (else
            SLAVC's confidence from the map).
        out_file: where rank 0 writes the per-sample values (JSON); ``None``:
            nothing, unless :class:`sspl.engine.hooks.PerSampleResultsHook`
            points it into the run's log folder.
        collect_device, prefix: see :class:`mmengine.evaluator.BaseMetric`.
    """

    default_prefix: Optional[str] = ''  # keys unprefixed: 'cIoU', 'AUC', ... (no warning)

    def __init__(self, protocols: Union[str, Sequence[Union[str, dict]]] = DEFAULT_PROTOCOLS,
                 protocol: Optional[str] = None, threshold: float = 0.5,
                 use_pred_score: bool = True, out_file: Optional[str] = None,
                 score_range: Any = _UNSET,
                 collect_device: str = 'cpu', prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        owner = type(self).__name__
        if protocols == 'all':
            protocols = ALL_PROTOCOLS
        if isinstance(protocols, (str, dict)):
            protocols = [protocols]
        self.threshold = float(threshold)
        if isinstance(score_range, list):  # from a config (lists) or --cfg-options
            score_range = tuple(score_range)
        self.protocols = [_Protocol(spec, self.threshold, owner, score_range)
                          for spec in protocols]
        names = [p.name for p in self.protocols]
        if len(set(names)) != len(names):
            raise ValueError(f'{owner}: protocol names must be unique (give name=...), got {names}')
        headline = [p.name for p in self.protocols if _is_headline(p)]
        if protocol is None:
            protocol = headline[0] if headline else None
        elif protocol not in ('fixed', 'median'):
            raise ValueError(f"{owner}: protocol must be 'fixed' or 'median' (the one reported as "
                             f'cIoU / AUC / mean_cIoU), got {protocol!r}')
        elif protocol not in headline:
            raise ValueError(f'{owner}: protocol {protocol!r} is not among protocols {names}')
        self.protocol = protocol
        self.use_pred_score = bool(use_pred_score)
        self.out_file = out_file
        #: what the run was (config, model, checkpoint, test set), written with the
        #: per-sample values; :class:`sspl.engine.hooks.PerSampleResultsHook` fills it
        self.run_info: Dict[str, Any] = {}
        self._metric_keys: Dict[str, List[str]] = {}  # protocol name -> its metric keys

    # ---- per sample ------------------------------------------------------------------------

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Score each sample of a batch under every configured protocol; a
        sample without ``pred_sim_map``, a positive without (or with an empty)
        ``gt_map``, or a negative-audio probe without ``pair_id`` is an error
        naming the sample."""
        owner = type(self).__name__
        for data_sample in data_samples:
            sample_id = str(data_sample.get('sample_id', '<unknown>'))
            if data_sample.get('pred_sim_map') is None:
                raise ValueError(f'{owner}: sample {sample_id} has no pred_sim_map: '
                                 'the model did not predict a map for it')
            raw_map = np.asarray(as_map(data_sample['pred_sim_map']), dtype=np.float32)
            score = data_sample.get('pred_score')
            score = float(as_map(score)) if score is not None and self.use_pred_score else None
            is_positive = not (data_sample.get('negative_audio') or data_sample.get('is_negative'))
            if is_positive and data_sample.get('gt_map') is None:
                raise ValueError(
                    f'{owner}: sample {sample_id} has no ground-truth map (missing annotation): '
                    'evaluation needs annotated samples (flag a clip without a box '
                    'is_negative=True)')
            try:
                if data_sample.get('negative_audio'):
                    result = self._negative_audio_result(data_sample, sample_id, raw_map)
                elif data_sample.get('is_negative'):
                    result = self._negative_result(data_sample, sample_id, raw_map, score)
                else:
                    result = self._positive_result(data_sample, sample_id, raw_map, score)
            except ValueError as exc:
                raise ValueError(f'{owner}: sample {sample_id}: {exc}') from exc
            self.results.append(result)

    def _positive_result(self, data_sample, sample_id, raw_map, score) -> dict:
        gt_map = np.asarray(as_map(data_sample['gt_map']), dtype=np.float64)
        if np.sum(gt_map) <= 0:
            raise ValueError('ground-truth map is empty: the sample has no (valid) box '
                             '(flag a clip without a box is_negative=True)')
        result = dict(sample_id=sample_id, kind='positive')
        for p in self.protocols:
            if p.type == 'negative_audio':
                result['gt_height'], result['gt_width'] = (int(v) for v in gt_map.shape)
                values = negative_audio_positive_thresholds(
                    raw_map[None], gt_map[None], p.resolved['upsample'],
                    p.resolved['align_corners'], p.resolved['score_range'])
                values = dict(threshold_ciou=values['thrciou'],
                              threshold_ciouadap=values['thrciouadap'])
            else:
                data = {}
                if p.type == 'extended' and score is not None:
                    data['confidences'] = [score]
                values = score_samples(p.type, raw_map[None], gt_map[None], **p.options, **data)
            for field in POSITIVE_FIELDS[p.type]:
                result[f'{field}_{p.name}'] = float(values[field][0])
        return result

    def _negative_result(self, data_sample, sample_id, raw_map, score) -> dict:
        result = dict(sample_id=sample_id, kind='negative')
        size = data_sample.get('img_shape') or (224, 224)
        for p in self.protocols:
            if p.type != 'extended':
                continue
            data = dict(negative_maps=raw_map[None], negative_size=tuple(size[:2]))
            if score is not None:
                data['negative_confidences'] = [score]
            values = score_samples('extended', np.zeros((0,) + raw_map.shape, np.float32), None,
                                   **p.options, **data)
            result[f'conf_negative_{p.name}'] = float(values['conf_negative'][0])
        return result

    def _negative_audio_result(self, data_sample, sample_id, raw_map) -> dict:
        pair_id = data_sample.get('pair_id')
        if pair_id is None:
            raise ValueError('a negative-audio probe needs pair_id, the sample_id of its frame '
                             'with its own audio')
        return dict(sample_id=sample_id, kind='negative_audio',
                    audio=str(data_sample['negative_audio']), pair_id=str(pair_id),
                    raw_map=raw_map.tolist())

    # ---- dataset ---------------------------------------------------------------------------

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Dataset figures of every protocol (and the per-sample file)."""
        owner = type(self).__name__
        positives = [r for r in results if r['kind'] == 'positive']
        negatives = [r for r in results if r['kind'] == 'negative']
        probes = [r for r in results if r['kind'] == 'negative_audio']
        if not positives:
            raise ValueError(f'{owner}: no positive (annotated) sample to score')
        metrics: Dict[str, float] = {}
        self._metric_keys = {}
        for p in self.protocols:
            if p.type == 'negative_audio':
                figures = self._negative_audio_metrics(p, positives, probes)
                metrics.update(figures)
                self._metric_keys[p.name] = list(figures)
                continue
            per_sample = {field: [r[f'{field}_{p.name}'] for r in positives]
                          for field in POSITIVE_FIELDS[p.type]}
            summary_options = dict(p.summary_options)
            if p.type == 'adaptive':
                summary_options['ids'] = [r['sample_id'] for r in positives]
            if p.type == 'extended':
                per_sample['conf_negative'] = [r[f'conf_negative_{p.name}'] for r in negatives]
            figures = summarize_samples(p.type, per_sample, **summary_options)
            self._metric_keys[p.name] = [self._key(p, figure) for figure in figures]
            metrics.update({self._key(p, figure): value for figure, value in figures.items()})
        skipped = self._skipped(negatives, probes)
        print_log(f'{owner} on {len(positives)} samples'
                  + (f', {len(negatives)} negatives' if negatives else '')
                  + (f', {len(probes)} negative-audio probes' if probes else '') + '. '
                  + '; '.join(f'{", ".join(self._metric_keys[p.name])}: the {p.name!r} protocol '
                              f'({p.describe()})' for p in self.protocols) + '.' + skipped,
                  logger='current')
        if self.out_file:
            self.dump_results(results, metrics, self.out_file)
        return metrics

    def _skipped(self, negatives, probes) -> str:
        types = {p.type for p in self.protocols}
        notes = []
        if negatives and 'extended' not in types:
            notes.append(f' {len(negatives)} negatives (is_negative) scored by no protocol: '
                         "add 'extended' to protocols.")
        if probes and 'negative_audio' not in types:
            notes.append(f' {len(probes)} negative-audio probes scored by no protocol: '
                         "add 'negative_audio' to protocols.")
        return ''.join(notes)

    def _negative_audio_metrics(self, p: _Protocol, positives, probes) -> Dict[str, float]:
        by_id = {r['sample_id']: r for r in positives}
        constants = p.resolved['thresholds']
        per_kind: Dict[str, Dict[str, list]] = {}
        for probe in probes:
            pair = by_id.get(probe['pair_id'])
            if pair is None:
                raise ValueError(f"{type(self).__name__}: negative-audio probe "
                                 f"{probe['sample_id']}: its pair_id {probe['pair_id']!r} is "
                                 'not a positive sample of this evaluation')
            image_thresholds = dict(thrciou=[pair[f'threshold_ciou_{p.name}']],
                                    thrciouadap=[pair[f'threshold_ciouadap_{p.name}']])
            values = negative_audio_pia(
                np.asarray(probe['raw_map'], np.float32)[None], (pair['gt_height'], pair['gt_width']),
                constants, image_thresholds, p.resolved['negative_upsample'],
                p.resolved['negative_align_corners'], p.resolved['score_range'])
            lists = per_kind.setdefault(probe['audio'], {})
            for key, value in values.items():
                probe[f'{key}_{p.name}'] = float(value[0])
                lists.setdefault(key, []).append(float(value[0]))
        metrics = {}
        for kind in sorted(per_kind):
            for figure, value in summarize_negative_audio(per_kind[kind]).items():
                metrics[f'{p.name}/{kind}/{figure}'] = value
        return metrics

    def _key(self, p: _Protocol, figure: str) -> str:
        """The metric key of one of a protocol's figures."""
        if _is_headline(p) and figure in CIOU_FIGURES:
            return figure if p.name == self.protocol else f'{figure}_{p.name}'
        if p.type == 'pointing' and p.name == 'pointing':
            return figure
        return f'{p.name}/{figure}'

    def dump_results(self, results: List[dict], metrics: Dict[str, float], out_file: str) -> None:
        """Write the per-sample values and the dataset metrics to ``out_file`` (JSON)."""
        per_sample_keys = {}
        for p in self.protocols:
            fields = list(POSITIVE_FIELDS[p.type])
            if p.type == 'extended':
                fields.append('conf_negative')
            if p.type == 'negative_audio':
                fields += sorted({k[:-len(p.name) - 1] for r in results for k in r
                                  if k.startswith('pia_') and k.endswith(f'_{p.name}')})
            per_sample_keys[p.name] = [f'{field}_{p.name}' for field in fields]
        payload = dict(
            run_info=_jsonable(dict(self.run_info)),
            protocol=self.protocol,
            protocols={p.name: dict(type=p.type, description=p.describe(),
                                    options=_jsonable(p.options),
                                    metric_keys=self._metric_keys.get(p.name, []))
                       for p in self.protocols},
            fixed_threshold=self.threshold,
            auc_thresholds=[round(t, 2) for t in AUC_THRESHOLDS],
            num_samples=sum(r['kind'] == 'positive' for r in results),
            num_negatives=sum(r['kind'] == 'negative' for r in results),
            num_negative_audio=sum(r['kind'] == 'negative_audio' for r in results),
            metrics=metrics,
            per_sample_keys=per_sample_keys,
            samples=[{key: value for key, value in result.items() if key != 'raw_map'}
                     for result in results],
        )
        atomic_write_text(out_file, json.dumps(payload, indent=1))
        print_log(f'{type(self).__name__}: per-sample results written to {out_file}',
                  logger='current')


def _is_headline(p: _Protocol) -> bool:
    """The default fixed / median protocols, reported as cIoU / AUC / mean_cIoU."""
    return p.type == p.name and p.name in ('fixed', 'median')


def _jsonable(value: Any):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
