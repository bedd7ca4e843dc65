"""cIoU / AUC metric for sound source localisation."""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from sspl.evaluation.functional import ciou_auc, ciou_inter_union
from sspl.registry import METRICS

PROTOCOLS = ('fixed', 'median')


@METRICS.register_module()
class CIoUMetric(BaseMetric):
    """Consensus IoU and its AUC, under both thresholding protocols.

    Per sample, the raw ``pred_sim_map`` is resized bilinearly to the size of
    ``gt_map``, min-max normalised and thresholded: at 0.5 (``'fixed'``, the
    published SSPL evaluation) or at its median (``'median'``: the top 50% of
    pixels, as LVS, EZ-VSL, FNAC and SSL-TIE do). Both are computed for every
    sample; ``protocol`` says which pair is reported as ``cIoU`` / ``AUC`` (and
    used for ``save_best``); the other is reported as ``cIoU_<other>`` /
    ``AUC_<other>``. ``mean_cIoU`` is the mean per-sample cIoU of the configured
    protocol.

    Results are gathered across ranks by mmengine (each sample counted once).

    Args:
        protocol: ``'fixed'`` (SSPL) or ``'median'`` (LVS and later).
        threshold: threshold of the fixed protocol (0.5).
        collect_device, prefix: see :class:`mmengine.evaluator.BaseMetric`.
    """

    default_prefix: Optional[str] = None

    def __init__(self, protocol: str = 'fixed', threshold: float = 0.5,
                 collect_device: str = 'cpu', prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        if protocol not in PROTOCOLS:
            raise ValueError(f'CIoUMetric: protocol must be one of {PROTOCOLS}, got {protocol!r}')
        self.protocol = protocol
        self.threshold = threshold

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for data_sample in data_samples:
            sample_id = data_sample.get('sample_id', '<unknown>')
            if 'gt_map' not in data_sample:
                raise ValueError(f'CIoUMetric: sample {sample_id} has no ground-truth map '
                                 '(missing annotation): evaluation needs annotated samples')
            sim_map = data_sample['pred_sim_map']
            gt_map = data_sample['gt_map']
            try:
                fixed = ciou_inter_union(sim_map, gt_map, self.threshold)
                median = ciou_inter_union(sim_map, gt_map, 'median')
            except ValueError as exc:
                raise ValueError(f'CIoUMetric: sample {sample_id}: {exc}') from exc
            self.results.append(dict(
                sample_id=sample_id,
                ciou_fixed=fixed[0], inter_fixed=fixed[1], union_fixed=fixed[2],
                ciou_median=median[0], inter_median=median[1], union_median=median[2]))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        other = 'median' if self.protocol == 'fixed' else 'fixed'
        metrics = {}
        for protocol, suffix in ((self.protocol, ''), (other, f'_{other}')):
            cious = [result[f'ciou_{protocol}'] for result in results]
            ciou_at_half, auc = ciou_auc(cious)
            metrics[f'cIoU{suffix}'] = ciou_at_half
            metrics[f'AUC{suffix}'] = auc
            metrics[f'mean_cIoU{suffix}'] = float(np.mean(cious))
        print_log(f'CIoUMetric on {len(results)} samples; cIoU/AUC/mean_cIoU: '
                  f'{self.protocol} protocol; *_{other}: the {other} protocol', logger='current')
        return metrics
