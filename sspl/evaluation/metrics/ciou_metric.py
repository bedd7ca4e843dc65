"""cIoU / AUC metric for sound source localisation."""
import json
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from sspl.evaluation.functional import AUC_THRESHOLDS, ciou_auc, ciou_inter_union
from sspl.registry import METRICS
from sspl.utils.atomic_io import atomic_write_text

PROTOCOLS = ('fixed', 'median')
PROTOCOL_DESCRIPTIONS = {
    'fixed': 'min-max normalised map >= {threshold:g}, as SSPL',
    'median': 'top 50% of the pixels, map >= its median (LVS, EZ-VSL, FNAC, SSL-TIE)',
}


@METRICS.register_module()
class CIoUMetric(BaseMetric):
    """Consensus IoU and its AUC, under both thresholding protocols.

    Per sample, the raw ``pred_sim_map`` ``(h, w)`` is resized bilinearly to the
    size of ``gt_map`` ``(H, W)``, min-max normalised and thresholded: at 0.5
    (``'fixed'``, the published SSPL evaluation) or at its median
    (``'median'``: the top 50% of pixels, as LVS, EZ-VSL, FNAC and SSL-TIE do).
    Both are computed for every sample; ``protocol`` says which pair is
    reported as ``cIoU`` / ``AUC`` / ``mean_cIoU`` (and so used by
    ``save_best='cIoU'``); the other is reported as ``cIoU_<other>`` /
    ``AUC_<other>`` / ``mean_cIoU_<other>``.

    - ``cIoU``: fraction of samples whose cIoU is >= 0.5 (cIoU@0.5);
    - ``AUC``: trapezoidal area under (t, fraction with cIoU >= t),
      t = 0, 0.05, ..., 1;
    - ``mean_cIoU``: mean per-sample cIoU.

    Results are gathered across ranks by mmengine (``collect_results`` drops
    the samples a distributed sampler pads, so each sample counts once) and the
    metrics are computed on rank 0.

    Args:
        protocol: ``'fixed'`` (SSPL) or ``'median'`` (LVS and later).
        threshold: threshold of the fixed protocol (0.5).
        out_file: where rank 0 writes the per-sample values (JSON: the
            protocols, the dataset metrics and, per sample, ``sample_id`` and
            the cIoU, intersection and union under both protocols). ``None``:
            nothing is written. :class:`sspl.engine.hooks.PerSampleResultsHook`
            sets it to a file in the run's log folder when left ``None``.
        collect_device, prefix: see :class:`mmengine.evaluator.BaseMetric`.
    """

    default_prefix: Optional[str] = ''  # keys unprefixed: 'cIoU', 'AUC', ... (no warning)

    def __init__(self, protocol: str = 'fixed', threshold: float = 0.5,
                 out_file: Optional[str] = None, collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        if protocol not in PROTOCOLS:
            raise ValueError(f'CIoUMetric: protocol must be one of {PROTOCOLS}, got {protocol!r}')
        self.protocol = protocol
        self.threshold = float(threshold)
        self.out_file = out_file

    @property
    def other_protocol(self) -> str:
        return 'median' if self.protocol == 'fixed' else 'fixed'

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Score each sample of a batch.

        Each data sample (a dict, as the evaluator passes it) needs
        ``pred_sim_map`` ``(h, w)`` and ``gt_map`` ``(H, W)``; a sample without
        ``gt_map`` (missing annotation) or with an empty one is an error naming
        the sample.
        """
        for data_sample in data_samples:
            sample_id = data_sample.get('sample_id', '<unknown>')
            if data_sample.get('gt_map') is None:
                raise ValueError(f'CIoUMetric: sample {sample_id} has no ground-truth map '
                                 '(missing annotation): evaluation needs annotated samples')
            if data_sample.get('pred_sim_map') is None:
                raise ValueError(f'CIoUMetric: sample {sample_id} has no pred_sim_map: '
                                 'the model did not predict a map for it')
            sim_map = data_sample['pred_sim_map']
            gt_map = data_sample['gt_map']
            try:
                fixed = ciou_inter_union(sim_map, gt_map, self.threshold)
                median = ciou_inter_union(sim_map, gt_map, 'median')
            except ValueError as exc:
                raise ValueError(f'CIoUMetric: sample {sample_id}: {exc}') from exc
            self.results.append(dict(
                sample_id=str(sample_id),
                ciou_fixed=fixed[0], inter_fixed=fixed[1], union_fixed=fixed[2],
                ciou_median=median[0], inter_median=median[1], union_median=median[2]))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Dataset metrics of both protocols (and the per-sample file)."""
        other = self.other_protocol
        metrics = {}
        for protocol, suffix in ((self.protocol, ''), (other, f'_{other}')):
            cious = [result[f'ciou_{protocol}'] for result in results]
            ciou_at_half, auc = ciou_auc(cious)
            metrics[f'cIoU{suffix}'] = ciou_at_half
            metrics[f'AUC{suffix}'] = auc
            metrics[f'mean_cIoU{suffix}'] = float(np.mean(cious))
        print_log(f'CIoUMetric on {len(results)} samples. cIoU, AUC, mean_cIoU: the '
                  f'{self.protocol!r} protocol ({self._describe(self.protocol)}); '
                  f'cIoU_{other}, AUC_{other}, mean_cIoU_{other}: the {other!r} protocol '
                  f'({self._describe(other)}).', logger='current')
        if self.out_file:
            self.dump_results(results, metrics, self.out_file)
        return metrics

    def _describe(self, protocol: str) -> str:
        return PROTOCOL_DESCRIPTIONS[protocol].format(threshold=self.threshold)

    def dump_results(self, results: List[dict], metrics: Dict[str, float], out_file: str) -> None:
        """Write the per-sample values and the dataset metrics to ``out_file`` (JSON)."""
        other = self.other_protocol
        payload = dict(
            protocol=self.protocol,
            protocols={
                self.protocol: dict(description=self._describe(self.protocol),
                                    metric_keys=['cIoU', 'AUC', 'mean_cIoU']),
                other: dict(description=self._describe(other),
                            metric_keys=[f'cIoU_{other}', f'AUC_{other}',
                                         f'mean_cIoU_{other}']),
            },
            fixed_threshold=self.threshold,
            auc_thresholds=[round(t, 2) for t in AUC_THRESHOLDS],
            num_samples=len(results),
            metrics=metrics,
            per_sample_keys={p: [f'ciou_{p}', f'inter_{p}', f'union_{p}'] for p in PROTOCOLS},
            samples=[{key: (float(value) if key != 'sample_id' else value)
                      for key, value in result.items()} for result in results],
        )
        atomic_write_text(out_file, json.dumps(payload, indent=1))
        print_log(f'CIoUMetric: per-sample results written to {out_file}', logger='current')
