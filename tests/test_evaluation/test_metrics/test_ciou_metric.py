"""CIoUMetric: parity through the metric, naming of both protocols, the
per-sample results file, missing annotations. (PerSampleResultsHook, which
points the file into the run's log folder:
tests/test_engine/test_hooks/test_per_sample_results_hook.py.)"""
import json
import os.path as osp

import numpy as np
import pytest
import torch

from sspl.evaluation import CIoUMetric
from sspl.evaluation import functional as F
from sspl.registry import METRICS
from sspl.testing.metric_parity_cases import BENCHMARKS, TOL, load_expected, metric_inputs


def run_metric(metric, samples, batch_size=5):
    for start in range(0, len(samples), batch_size):
        metric.process({}, samples[start:start + batch_size])
    return metric.evaluate(len(samples))


@pytest.fixture(scope='module')
def cases(parity_dir):
    cases_dir = osp.join(parity_dir, 'metric_cases')
    return cases_dir, load_expected(cases_dir)


@pytest.mark.parametrize('benchmark', BENCHMARKS)
def test_metric_parity(cases, benchmark, tmp_path):
    cases_dir, expected = cases
    exp = expected[benchmark]
    out_file = tmp_path / 'per_sample.json'
    metric = METRICS.build(dict(type='CIoUMetric', protocol='fixed', out_file=str(out_file)))
    metrics = run_metric(metric, metric_inputs(cases_dir, benchmark, exp['ids']))
    assert metrics['cIoU'] == pytest.approx(exp['cIoU'], abs=TOL)
    assert metrics['AUC'] == pytest.approx(exp['AUC'], abs=TOL)
    assert metrics['mean_cIoU'] == pytest.approx(np.mean(exp['ciou_per_sample']), abs=TOL)
    saved = json.loads(out_file.read_text())
    assert [s['sample_id'] for s in saved['samples']] == [str(i) for i in exp['ids']]
    for index, sample in enumerate(saved['samples']):
        assert sample['ciou_fixed'] == pytest.approx(exp['ciou_per_sample'][index], abs=TOL)
        assert sample['inter_fixed'] == pytest.approx(exp['inter'][index], abs=TOL)
        assert sample['union_fixed'] == pytest.approx(exp['union'][index], abs=TOL)
    assert saved['metrics'] == metrics
    assert saved['protocol'] == 'fixed' and saved['num_samples'] == len(exp['ids'])


def test_both_protocols_named_and_swapped(cases, tmp_path):
    cases_dir, expected = cases
    samples = metric_inputs(cases_dir, 'vggss', expected['vggss']['ids'])
    fixed = run_metric(CIoUMetric(protocol='fixed'), samples)
    median = run_metric(CIoUMetric(protocol='median', out_file=str(tmp_path / 'm.json')),
                        samples)
    pointing = {'pointing_game', 'pointing_game_consensus'}
    assert set(fixed) == {'cIoU', 'AUC', 'mean_cIoU',
                          'cIoU_median', 'AUC_median', 'mean_cIoU_median'} | pointing
    assert set(median) == {'cIoU', 'AUC', 'mean_cIoU',
                           'cIoU_fixed', 'AUC_fixed', 'mean_cIoU_fixed'} | pointing
    for key in ('cIoU', 'AUC', 'mean_cIoU'):
        assert median[key] == fixed[f'{key}_median']
        assert median[f'{key}_fixed'] == fixed[key]
    # the median pair is really EZ-VSL's top-50% protocol, sample by sample
    reference = F.protocol_scores(torch.stack([s['pred_sim_map'] for s in samples]),
                                  torch.stack([s['gt_map'] for s in samples]), 'median')
    assert (median['cIoU'], median['AUC']) == F.ciou_auc(reference['ciou'])
    assert median['mean_cIoU'] == pytest.approx(np.mean(reference['ciou']))
    saved_samples = json.loads((tmp_path / 'm.json').read_text())['samples']
    assert [s['ciou_median'] for s in saved_samples] == reference['ciou']
    saved = json.loads((tmp_path / 'm.json').read_text())
    assert saved['protocol'] == 'median'
    assert saved['protocols']['median']['metric_keys'] == ['cIoU', 'AUC', 'mean_cIoU']
    assert saved['protocols']['fixed']['metric_keys'] == ['cIoU_fixed', 'AUC_fixed',
                                                          'mean_cIoU_fixed']
    assert 'top 50%' in saved['protocols']['median']['description']


def test_metric_logs_name_the_protocols(cases):
    import logging

    from mmengine.logging import MMLogger
    cases_dir, expected = cases
    samples = metric_inputs(cases_dir, 'flickr', expected['flickr']['ids'][:4])
    metric = CIoUMetric()
    for sample in samples:
        metric.process({}, [sample])
    records = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        metric.compute_metrics(metric.results)
    finally:
        logger.removeHandler(handler)
    text = '\n'.join(records)
    assert "cIoU, AUC, mean_cIoU: the 'fixed' protocol" in text
    assert "cIoU_median, AUC_median, mean_cIoU_median: the 'median' protocol" in text


def test_constant_map_in_metric_as_each_published_evaluator_scores_it():
    """A flat map: SSPL's fixed protocol predicts nothing; EZ-VSL's median
    (map >= its median, the map left unnormalised) predicts every pixel; the
    pointing game's tied peak covers the frame, so it scores the box's share."""
    gt_map = torch.zeros(224, 224)
    gt_map[20:100, 20:100] = 1
    metric = CIoUMetric()
    metric.process({}, [dict(sample_id='flat', pred_sim_map=torch.full((14, 14), 0.3),
                             gt_map=gt_map)])
    result = metric.results[0]
    share = 80 * 80 / 224 ** 2
    assert result['ciou_fixed'] == 0.0
    assert result['ciou_median'] == pytest.approx(share)
    assert result['hit_pointing'] == pytest.approx(share)


def test_missing_annotation_is_an_error_naming_the_sample():
    metric = CIoUMetric()
    with pytest.raises(ValueError, match='sample clip_042 has no ground-truth map'):
        metric.process({}, [dict(sample_id='clip_042', pred_sim_map=torch.rand(14, 14))])
    with pytest.raises(ValueError, match='sample clip_043: ground-truth map is empty'):
        metric.process({}, [dict(sample_id='clip_043', pred_sim_map=torch.rand(14, 14),
                                 gt_map=torch.zeros(224, 224))])
    assert metric.results == []


def test_unknown_protocol_is_rejected():
    with pytest.raises(ValueError, match='protocol'):
        CIoUMetric(protocol='top50')
