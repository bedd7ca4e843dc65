"""The published evaluators' figures in ``../shared/parity/vsl/metric_cases``
(EZ-VSL, FNAC, SLAVC) and ``../shared/parity/metrics_extra`` (SSLalignment,
vssl_eval), each paired with the :func:`protocol_scores` call that must
reproduce it.

Run as a script, it prints each protocol's worst error against each folder::

    .venv/bin/python -m sspl.testing.protocol_parity_cases
"""
import json
import math
import os.path as osp
import sys
from typing import Dict, List, NamedTuple

import numpy as np

from sspl.evaluation import functional as F

from .repo import PARITY_DIR

TAU = 0.03
SCORE_RANGE_AV = (-1. / TAU, 1. / TAU)   # SLAVC's av_min, av_max
SCORE_RANGE_OBJ = (0., 2.5)              # SLAVC's obj_min, obj_max
# tolerances of the READMEs
VSL_PER_SAMPLE_TOL = 1e-6   # cIoU and confidence per sample
VSL_DATASET_TOL = 1e-9      # cIoU, AUC, AP, F1, LocAcc
EXTRA_TOL = 1e-6            # every figure
EXTRA_PIA_TOL = 5e-5        # pIA per sample and its means (two pixels)


def default_parity_dir() -> str:
    return PARITY_DIR


def load_json(path: str):
    with open(path) as handle:
        return json.load(handle)


class Check(NamedTuple):
    """One compared value: where it is in the parity file, the protocol it
    checks, ours, theirs, and the tolerance."""
    where: str
    protocol: str
    ours: object
    theirs: object
    tol: float

    def error(self) -> float:
        ours = np.asarray(self.ours, dtype=np.float64).reshape(-1)
        theirs = np.asarray([math.nan if v is None else v for v in np.ravel(self.theirs)],
                            dtype=np.float64)
        if ours.shape != theirs.shape:
            return math.inf
        both_nan = np.isnan(ours) & np.isnan(theirs)
        if np.any(np.isnan(ours) != np.isnan(theirs)):
            return math.inf
        diff = np.abs(ours[~both_nan] - theirs[~both_nan])
        return float(diff.max()) if diff.size else 0.0


# ---- metric_cases: SSPL (the fixed protocol) -------------------------------------------

SSPL_BENCHMARKS = ('flickr', 'vggss', 'chaoticworld')
SSPL_TOL = 1e-6


def load_sspl_benchmark(cases_dir: str, name: str, ids: List[str]):
    """``(maps (48, 14, 14), gt maps)`` of SSPL's parity cases, with the
    existing readers of the three annotation formats."""
    if name == 'flickr':
        gt_maps = [F.flickr_gt_map(osp.join(cases_dir, 'flickr', 'Annotations', f'{i}.xml'))
                   for i in ids]
    else:
        reader = F.vggss_gt_map if name == 'vggss' else F.chaotic_world_gt_map
        records = {r['file']: r['bbox'] for r in
                   load_json(osp.join(cases_dir, f'{name}_synthetic.json'))}
        gt_maps = [reader(records[i]) for i in ids]
    return np.load(osp.join(cases_dir, f'{name}_heatmaps.npy')), np.stack(gt_maps)


def sspl_checks(parity_dir: str) -> List[Check]:
    cases_dir = osp.join(parity_dir, 'metric_cases')
    expected = load_json(osp.join(cases_dir, 'expected.json'))
    checks = []
    for name in SSPL_BENCHMARKS:
        exp = expected[name]
        maps, gt_maps = load_sspl_benchmark(cases_dir, name, exp['ids'])
        ours = F.protocol_scores(maps, gt_maps, 'fixed')
        checks += [Check(f'{name}.ciou_per_sample', 'fixed', ours['ciou'],
                         exp['ciou_per_sample'], SSPL_TOL)]
        checks += [Check(f'{name}.{key}', 'fixed', ours[key], exp[key], SSPL_TOL)
                   for key in ('inter', 'union', 'cIoU', 'AUC')]
    return checks


# ---- vsl/metric_cases: EZ-VSL, FNAC, SLAVC ------------------------------------------------

class VslBenchmark(NamedTuple):
    ids: List[str]
    gt_maps: np.ndarray          # (40, 224, 224)
    heatmaps: np.ndarray         # (40, 7, 7)
    objmaps: np.ndarray
    negative_heatmaps: np.ndarray  # (20, 7, 7), csv order
    negative_objmaps: np.ndarray
    n_boxes: List[int]


def load_vsl_benchmark(cases_dir: str, name: str, ids: List[str]) -> VslBenchmark:
    """Ground truth with the existing readers: Flickr's consensus from the XML
    (``flickr_gt_map``), VGG-SS's union of clipped boxes (``vggss_gt_map``)."""
    if name == 'flickr':
        xmls = [osp.join(cases_dir, 'flickr', 'Annotations', f'{i}.xml') for i in ids]
        gt_maps = np.stack([F.flickr_gt_map(path) for path in xmls])
        n_boxes = [len(F.parse_flickr_xml(path)) for path in xmls]
    else:
        records = {r['file']: r['bbox'] for r in
                   load_json(osp.join(cases_dir, 'vggss_synthetic.json'))}
        gt_maps = np.stack([F.vggss_gt_map(records[i]) for i in ids])
        n_boxes = [len(records[i]) for i in ids]
    arrays = {kind: np.load(osp.join(cases_dir, f'{name}_{kind}.npy')) for kind in
              ('heatmaps', 'objmaps', 'negative_heatmaps', 'negative_objmaps')}
    return VslBenchmark(ids, gt_maps, n_boxes=n_boxes, **arrays)


def median_call(bench: VslBenchmark, maps: str, **options) -> dict:
    """EZ-VSL / FNAC ``Evaluator`` on the av, obj or av+obj (OGL, alpha 0.4) map."""
    if maps == 'av':
        return F.protocol_scores(bench.heatmaps, bench.gt_maps, 'median', **options)
    if maps == 'obj':
        return F.protocol_scores(bench.objmaps, bench.gt_maps, 'median', **options)
    return F.protocol_scores(bench.heatmaps, bench.gt_maps, 'median', object_maps=bench.objmaps,
                             alpha=0.4, **options)


def extended_call(bench: VslBenchmark, maps: str, **options) -> dict:
    """SLAVC ``EvaluatorFull`` on the av, obj or av+obj (alpha 0.9) scores."""
    if maps == 'av':
        return F.protocol_scores(bench.heatmaps, bench.gt_maps, 'extended',
                                 score_range=SCORE_RANGE_AV,
                                 negative_maps=bench.negative_heatmaps, **options)
    if maps == 'obj':
        return F.protocol_scores(bench.objmaps, bench.gt_maps, 'extended',
                                 score_range=SCORE_RANGE_OBJ,
                                 negative_maps=bench.negative_objmaps, **options)
    return F.protocol_scores(bench.heatmaps, bench.gt_maps, 'extended',
                             score_range=SCORE_RANGE_AV, negative_maps=bench.negative_heatmaps,
                             object_maps=bench.objmaps,
                             negative_object_maps=bench.negative_objmaps,
                             object_score_range=SCORE_RANGE_OBJ, alpha=0.9, **options)


#: (expected.json path, protocol, the call) for EZ-VSL's and FNAC's evaluators
MEDIAN_CASES = [
    ('ezvsl.{ds}.av', 'av', {}),
    ('ezvsl.{ds}.obj', 'obj', {}),
    ('ezvsl.{ds}.av_obj', 'av_obj', {}),
    ('ezvsl.{ds}.train_validate_av', 'av', dict(upsample='bicubic', align_corners=False)),
    ('fnac.{ds}.validate_av', 'av', {}),
    ('fnac.{ds}.validate_obj', 'obj', {}),
    ('fnac.{ds}.validate_av_obj', 'av_obj', {}),
    # validate2: the av map bicubic, align_corners=False; the object map as before
    ('fnac.{ds}.validate2_av', 'av', dict(upsample='bicubic', align_corners=False)),
    ('fnac.{ds}.validate2_obj', 'obj', {}),
    ('fnac.{ds}.validate2_av_obj', 'av_obj', dict(upsample='bicubic', align_corners=False,
                                                  object_upsample='bilinear',
                                                  object_align_corners=True)),
]
EXTENDED_CASES = [
    (f'slavc.{{ds}}_plus_silent.{mode}.{maps}', maps, dict(relative_prediction=relative))
    for mode, relative in (('relative_prediction', True), ('absolute_threshold', False))
    for maps in ('av', 'obj', 'av_obj')
] + [('slavc.{ds}_plus_silent.train_validate_av', 'av',
      dict(upsample='bicubic', align_corners=False, relative_prediction=True))]


def _lookup(expected: dict, path: str):
    node = expected
    for part in path.split('.'):
        node = node[part]
    return node


def vsl_checks(parity_dir: str) -> List[Check]:
    cases_dir = osp.join(parity_dir, 'vsl', 'metric_cases')
    expected = load_json(osp.join(cases_dir, 'expected.json'))
    checks = []
    for ds in ('flickr', 'vggss'):
        ids = expected['ezvsl'][ds]['av']['ids']
        bench = load_vsl_benchmark(cases_dir, ds, ids)
        for path, maps, options in MEDIAN_CASES:
            where = path.format(ds=ds)
            exp = _lookup(expected, where)
            assert exp['ids'] == ids, where
            ours = median_call(bench, maps, **options)
            checks += [Check(f'{where}.ciou_per_sample', 'median', ours['ciou'],
                             exp['ciou_per_sample'], VSL_PER_SAMPLE_TOL)]
            checks += [Check(f'{where}.{key}', 'median', ours[key], exp[key], VSL_DATASET_TOL)
                       for key in ('cIoU', 'AUC', 'mean_cIoU')]
        for path, maps, options in EXTENDED_CASES:
            where = path.format(ds=ds)
            exp = _lookup(expected, where)
            assert exp['ids'] == ids, where
            ours = extended_call(bench, maps, **options)
            checks += [
                Check(f'{where}.ciou_per_sample', 'extended', ours['ciou'],
                      exp['ciou_per_sample'], VSL_PER_SAMPLE_TOL),
                Check(f'{where}.conf_per_sample', 'extended', ours['conf'],
                      exp['conf_per_sample'], VSL_PER_SAMPLE_TOL),
                Check(f'{where}.conf_per_negative', 'extended', ours['conf_negative'],
                      exp['conf_per_negative'], VSL_PER_SAMPLE_TOL),
                Check(f'{where}.gt_area_per_sample', 'extended', ours['gt_area'],
                      exp['gt_area_per_sample'], VSL_DATASET_TOL),
                Check(f'{where}.n_boxes_per_sample', 'extended', bench.n_boxes,
                      exp['n_boxes_per_sample'], 0)]
            checks += [Check(f'{where}.{key}', 'extended', ours[key], exp[key], VSL_DATASET_TOL)
                       for key in ('AP', 'max_F1', 'F1_at_default_conf', 'LocAcc',
                                   'precision_at_50_strict', 'AUC')]
            stats = F.extended.finalize_stats(ours['ciou'], ours['conf'], ours['conf_negative'],
                                              ours['gt_area'])
            checks += [Check(f'{where}.F1_curve_all', 'extended',
                             F.extended.f1_curve(*_all_lists(ours)), exp['F1_curve_all'],
                             VSL_DATASET_TOL)]
            # @75 figures of the protocol against finalize_stats' entries
            checks += [Check(f'{where}.finalize_stats.AP-all@75', 'extended', ours['AP@75'],
                             exp['finalize_stats']['AP-all@75'], VSL_DATASET_TOL),
                       Check(f'{where}.finalize_stats.Precision-visible@75', 'extended',
                             ours['LocAcc@75'], exp['finalize_stats']['Precision-visible@75'],
                             VSL_DATASET_TOL)]
            for key, value in exp['finalize_stats'].items():
                if key.startswith('F1-') and isinstance(value, str):
                    checks.append(Check(f'{where}.finalize_stats.{key}', 'extended',
                                        float(stats[key] == value), 1.0, 0))
                else:
                    checks.append(Check(f'{where}.finalize_stats.{key}', 'extended',
                                        stats[key], value, VSL_DATASET_TOL))
    return checks


def _all_lists(ours: dict):
    n_pos, n_neg = len(ours['ciou']), len(ours['conf_negative'])
    return ([1] * n_pos + [0] * n_neg, list(ours['ciou']) + [0.] * n_neg,
            list(ours['conf']) + list(ours['conf_negative']))


# ---- metrics_extra: SSLalignment, vssl_eval ---------------------------------------------

def load_extra(parity_dir: str):
    cases_dir = osp.join(parity_dir, 'metrics_extra')
    expected = load_json(osp.join(cases_dir, 'expected.json'))
    records = {r['file']: r['bbox'] for r in
               load_json(osp.join(cases_dir, 'vggss_synthetic.json'))}
    gt_maps = np.stack([F.vggss_gt_map(records[i]) for i in expected['ids']])
    maps = np.load(osp.join(cases_dir, 'maps.npy'))
    negatives = dict(np.load(osp.join(cases_dir, 'negatives.npz')))
    return expected, gt_maps, maps, negatives


def negative_audio_thresholds(expected: dict) -> Dict[str, float]:
    given = expected['negative_audio']['thresholds']
    model = expected['negative_audio']['model']
    return {'thr05': given['threshold'], 'max': given[f'{model}_th_max'],
            'max10': given[f'{model}_th_max10'], 'maxq3': given[f'{model}_th_maxq3']}


NEGATIVE_KINDS = ('silence', 'noise', 'offscreen')
VARIANTS = ('thr05', 'thrciou', 'thrciouadap', 'max', 'max10', 'maxq3')


def extra_checks(parity_dir: str) -> List[Check]:
    expected, gt_maps, maps, negatives = load_extra(parity_dir)
    pos = expected['positive']
    ours = F.protocol_scores(maps, gt_maps, 'adaptive', ids=expected['ids'])
    evaluator, iiou = pos['Evaluator.cal_CIOU'], pos['Evaluator_iiou.cal_CIOU_adap']
    checks = [Check(f'positive.Evaluator.cal_CIOU.{key}', 'adaptive', ours[key],
                    evaluator[key], EXTRA_TOL) for key in ('ciou', 'inter', 'union', 'threshold')]
    checks += [
        Check('positive.Evaluator_iiou.cal_CIOU.ciou', 'adaptive', ours['ciou'],
              pos['Evaluator_iiou.cal_CIOU']['ciou'], EXTRA_TOL),
        Check('positive.Evaluator_iiou.cal_CIOU.threshold', 'adaptive', ours['threshold'],
              pos['Evaluator_iiou.cal_CIOU']['threshold'], EXTRA_TOL),
        Check('positive.Evaluator_iiou.cal_CIOU_adap.ciou', 'adaptive', ours['ciou_adap'],
              iiou['ciou'], EXTRA_TOL),
        Check('positive.Evaluator_iiou.cal_CIOU_adap.threshold', 'adaptive',
              ours['threshold_adap'], iiou['threshold'], EXTRA_TOL),
        Check('positive.Evaluator_iiou.cal_CIOU_adap.gt_nums', 'adaptive', ours['gt_nums'],
              iiou['gt_nums'], 0),
        Check('positive.Evaluator.finalize_AP50', 'adaptive', ours['cIoU'],
              pos['Evaluator.finalize_AP50'], EXTRA_TOL),
        Check('positive.Evaluator.finalize_AUC', 'adaptive', ours['AUC'],
              pos['Evaluator.finalize_AUC'], EXTRA_TOL),
        Check('positive.Evaluator.finalize_cIoU', 'adaptive', ours['mIoU'],
              pos['Evaluator.finalize_cIoU'], EXTRA_TOL),
        Check('positive.Evaluator_iiou.finalize_IAUC', 'adaptive', ours['IAUC'],
              pos['Evaluator_iiou.finalize_IAUC'], EXTRA_TOL),
        Check('positive.Evaluator_iiou.finalize_IAUC_adap', 'adaptive', ours['IAUC_adap'],
              pos['Evaluator_iiou.finalize_IAUC_adap'], EXTRA_TOL),
        Check('group', 'adaptive', float([F.iiou_group(i) for i in expected['ids']]
                                         == expected['group']), 1.0, 0),
    ]
    checks += [Check(f'positive.Evaluator_iiou.finalize_cIoU.{key}', 'adaptive', ours[key],
                     pos['Evaluator_iiou.finalize_cIoU'][key], EXTRA_TOL)
               for key in ('cIoU', 'cIoU_adap', 'IIoU', 'IIoU_adap')]
    checks += [Check(f'positive.Evaluator_iiou.finalize_AUC.{key}', 'adaptive', ours[key],
                     pos['Evaluator_iiou.finalize_AUC'][key], EXTRA_TOL)
               for key in ('AUC', 'AUC_adap')]
    for group_key, field in (('Evaluator_iiou.iou', 'ciou'),
                             ('Evaluator_iiou.iou_adap', 'ciou_adap')):
        by_group: Dict[str, list] = {}
        for sample_id, value in zip(expected['ids'], ours[field]):
            by_group.setdefault(F.iiou_group(sample_id), []).append(value)
        for group, values in pos[group_key].items():
            checks.append(Check(f'positive.{group_key}.{group}', 'adaptive',
                                by_group.get(group, []), values, EXTRA_TOL))

    neg = expected['negative_audio']
    pair_index = negatives['pair_index']
    assert list(pair_index) == neg['pair_index']
    thresholds = negative_audio_thresholds(expected)
    pia_no_max = []
    aoc_no_max = []
    for kind in NEGATIVE_KINDS:
        ours = F.protocol_scores(negatives[kind], gt_maps[pair_index], 'negative_audio',
                                 positive_maps=negatives['positive'], thresholds=thresholds)
        if kind == NEGATIVE_KINDS[0]:
            checks += [Check('negative_audio.positive_thresholds.threshold_ciou_wogl',
                             'negative_audio', ours['threshold_ciou'],
                             neg['positive_thresholds']['threshold_ciou_wogl'], EXTRA_TOL),
                       Check('negative_audio.positive_thresholds.threshold_ciouadap_wogl',
                             'negative_audio', ours['threshold_ciouadap'],
                             neg['positive_thresholds']['threshold_ciouadap_wogl'], EXTRA_TOL)]
        for variant in VARIANTS:
            checks += [
                Check(f'negative_audio.{kind}.compute_pIA.{variant}', 'negative_audio',
                      ours[f'pia_{variant}'], neg[kind]['compute_pIA'][variant], EXTRA_PIA_TOL),
                Check(f'negative_audio.{kind}.compute_metrics.pia_metric.{variant}',
                      'negative_audio', ours[f'pIA_{variant}'],
                      neg[kind]['compute_metrics.pia_metric'][variant], EXTRA_PIA_TOL),
                Check(f'negative_audio.{kind}.compute_AUC_pIA.{variant}', 'negative_audio',
                      ours[f'AOC_{variant}'], neg[kind]['compute_AUC_pIA'][variant], EXTRA_TOL)]
        pia_no_max.append(100 - 100 * ours['pIA_maxq3'])
        aoc_no_max.append(100 * ours['AOC_maxq3'])
    # the two summaries are percentages: their tolerances scaled by 100
    checks += [Check('negative_audio.compute_metrics.pia_mean_neg', 'negative_audio',
                     float(np.mean(pia_no_max)), neg['compute_metrics.pia_mean_neg'],
                     100 * EXTRA_PIA_TOL),
               Check('negative_audio.compute_metrics.aoc_mean_neg', 'negative_audio',
                     float(np.mean(aoc_no_max)), neg['compute_metrics.aoc_mean_neg'],
                     100 * EXTRA_TOL)]
    return checks


def worst_errors(checks: List[Check]) -> Dict[str, tuple]:
    """protocol -> (worst error, where, number of values compared, failures)."""
    table: Dict[str, list] = {}
    for check in checks:
        error = check.error()
        row = table.setdefault(check.protocol, [0.0, '', 0, 0])
        if error >= row[0]:
            row[0], row[1] = error, check.where
        row[2] += int(np.size(check.ours))
        row[3] += int(not error <= check.tol)
    return {k: tuple(v) for k, v in table.items()}


def main(argv=None) -> int:
    parity_dir = (argv or sys.argv[1:] or [default_parity_dir()])[0]
    failed = 0
    for folder, build in (('metric_cases', sspl_checks), ('vsl/metric_cases', vsl_checks),
                          ('metrics_extra', extra_checks)):
        for protocol, (error, where, count, failures) in worst_errors(
                build(parity_dir)).items():
            failed += failures
            print(f'{folder:17s} {protocol:15s} worst error {error:.3g} at {where} '
                  f'({count} values, {failures} beyond tolerance)')
    return int(failed > 0)


if __name__ == '__main__':
    sys.exit(main())
