"""LocalizationMetric: every protocol from one pass of maps, through the metric
as a test run feeds it (batches of data-sample dicts, negatives flagged in
metainfo), equal to the published evaluators' figures; its configuration
errors, keys and per-sample file."""
import json
import os.path as osp

import numpy as np
import pytest
import torch

from sspl.evaluation import LocalizationMetric
from sspl.evaluation import functional as F
from sspl.registry import METRICS
from sspl.testing import protocol_parity_cases as P


def run_metric(metric, samples, batch_size=7):
    for start in range(0, len(samples), batch_size):
        metric.process({}, samples[start:start + batch_size])
    return metric.evaluate(len(samples))


def positive(sample_id, raw_map, gt_map, **meta):
    return dict(sample_id=sample_id, pred_sim_map=torch.from_numpy(np.asarray(raw_map)),
                gt_map=torch.from_numpy(np.asarray(gt_map, dtype=np.float32)), **meta)


def negative(sample_id, raw_map, **meta):
    return dict(sample_id=sample_id, pred_sim_map=torch.from_numpy(np.asarray(raw_map)),
                is_negative=True, img_shape=(224, 224), **meta)


@pytest.fixture(scope='module')
def vsl(parity_dir):
    cases_dir = osp.join(parity_dir, 'vsl', 'metric_cases')
    expected = P.load_json(osp.join(cases_dir, 'expected.json'))
    ids = expected['ezvsl']['flickr']['av']['ids']
    return expected, P.load_vsl_benchmark(cases_dir, 'flickr', ids)


def vsl_samples(bench, with_negatives=True):
    samples = [positive(i, bench.heatmaps[k], bench.gt_maps[k]) for k, i in enumerate(bench.ids)]
    if with_negatives:
        samples += [negative(f'neg_{k}', m) for k, m in enumerate(bench.negative_heatmaps)]
    rng = np.random.RandomState(0)
    return [samples[k] for k in rng.permutation(len(samples))]  # as SLAVC's loader shuffles


def test_extended_through_the_metric_is_slavc(vsl, tmp_path):
    expected, bench = vsl
    metric = METRICS.build(dict(
        type='LocalizationMetric', out_file=str(tmp_path / 'per_sample.json'),
        protocols=['fixed', 'median', 'pointing',
                   dict(type='extended', score_range=P.SCORE_RANGE_AV),
                   dict(type='extended', name='extended_abs', score_range=P.SCORE_RANGE_AV,
                        relative_prediction=False)]))
    metrics = run_metric(metric, vsl_samples(bench))
    for name, mode in (('extended', 'relative_prediction'), ('extended_abs',
                                                             'absolute_threshold')):
        exp = expected['slavc']['flickr_plus_silent'][mode]['av']
        for key in ('AP', 'max_F1', 'F1_at_default_conf', 'LocAcc', 'precision_at_50_strict',
                    'AUC'):
            assert metrics[f'{name}/{key}'] == pytest.approx(exp[key], abs=P.VSL_DATASET_TOL)
        assert metrics[f'{name}/AP@75'] == pytest.approx(exp['finalize_stats']['AP-all@75'],
                                                         abs=P.VSL_DATASET_TOL)
    # the median protocol of the same pass is EZ-VSL's test.py, negatives left out
    exp = expected['ezvsl']['flickr']['av']
    for key in ('cIoU', 'AUC', 'mean_cIoU'):
        assert metrics[f'{key}_median'] == pytest.approx(exp[key], abs=P.VSL_DATASET_TOL)
    saved = json.loads((tmp_path / 'per_sample.json').read_text())
    assert saved['num_samples'] == 40 and saved['num_negatives'] == 20
    by_id = {s['sample_id']: s for s in saved['samples']}
    exp = expected['slavc']['flickr_plus_silent']['relative_prediction']['av']
    for index, sample_id in enumerate(bench.ids):
        assert by_id[sample_id]['conf_extended'] == pytest.approx(exp['conf_per_sample'][index],
                                                                  abs=P.VSL_PER_SAMPLE_TOL)
        assert by_id[sample_id]['ciou_extended'] == pytest.approx(exp['ciou_per_sample'][index],
                                                                  abs=P.VSL_PER_SAMPLE_TOL)
    for index in range(20):
        assert by_id[f'neg_{index}']['kind'] == 'negative'
        assert by_id[f'neg_{index}']['conf_negative_extended'] == pytest.approx(
            exp['conf_per_negative'][index], abs=P.VSL_PER_SAMPLE_TOL)
    assert 'ciou_fixed' not in by_id['neg_0']  # a negative has no box: positive protocols skip it
    assert saved['protocols']['extended_abs']['metric_keys'][0].startswith('extended_abs/')
    assert saved['per_sample_keys']['extended'] == ['ciou_extended', 'conf_extended',
                                                    'gt_area_extended', 'conf_negative_extended']


def test_extended_reads_the_localizers_pred_score(vsl, tmp_path):
    _, bench = vsl
    samples = vsl_samples(bench)
    for index, sample in enumerate(samples):  # a confidence that ranks negatives last
        sample['pred_score'] = torch.tensor(0.1 + 0.001 * index if sample.get('is_negative')
                                            else 0.9 - 0.001 * index)
    spec = dict(type='extended', score_range=P.SCORE_RANGE_AV)
    own = run_metric(LocalizationMetric(protocols=[spec], out_file=str(tmp_path / 'o.json')),
                     samples)
    from_map = run_metric(LocalizationMetric(protocols=[spec], use_pred_score=False), samples)
    assert own['extended/LocAcc'] == from_map['extended/LocAcc']  # same maps, same cIoU
    assert own['extended/AP'] != from_map['extended/AP']
    saved = {s['sample_id']: s for s in json.loads((tmp_path / 'o.json').read_text())['samples']}
    for sample in samples:
        key = 'conf_negative_extended' if sample.get('is_negative') else 'conf_extended'
        assert saved[sample['sample_id']][key] == pytest.approx(sample['pred_score'].item())
    # every negative below every positive: AP is that of the positives alone
    positives = [saved[i] for i in bench.ids]
    alone = F.summarize_samples('extended', dict(ciou=[s['ciou_extended'] for s in positives],
                                                 conf=[s['conf_extended'] for s in positives]))
    assert own['extended/AP'] == pytest.approx(alone['AP'], abs=1e-12)
    assert own['extended/max_F1'] <= alone['max_F1']


def test_adaptive_through_the_metric_is_sslalignment(parity_dir):
    expected, gt_maps, maps, _ = P.load_extra(parity_dir)
    samples = [positive(i, maps[k], gt_maps[k]) for k, i in enumerate(expected['ids'])]
    metrics = run_metric(LocalizationMetric(protocols=['adaptive']), samples)
    pos = expected['positive']
    assert metrics['adaptive/IIoU'] == pytest.approx(
        pos['Evaluator_iiou.finalize_cIoU']['IIoU'], abs=P.EXTRA_TOL)
    assert metrics['adaptive/IAUC_adap'] == pytest.approx(
        pos['Evaluator_iiou.finalize_IAUC_adap'], abs=P.EXTRA_TOL)
    assert metrics['adaptive/mIoU'] == pytest.approx(pos['Evaluator.finalize_cIoU'],
                                                     abs=P.EXTRA_TOL)
    assert 'cIoU' not in metrics  # neither fixed nor median configured: no headline


def test_negative_audio_through_the_metric_is_vssl_eval(parity_dir, tmp_path):
    expected, gt_maps, _, negatives = P.load_extra(parity_dir)
    neg = expected['negative_audio']
    pair_ids = neg['pair_ids']
    samples = [positive(i, negatives['positive'][k], gt_maps[neg['pair_index'][k]])
               for k, i in enumerate(pair_ids)]
    for kind in P.NEGATIVE_KINDS:
        samples += [dict(sample_id=f'{i}@{kind}', pred_sim_map=torch.from_numpy(
            negatives[kind][k]), negative_audio=kind, pair_id=i) for k, i in enumerate(pair_ids)]
    rng = np.random.RandomState(1)
    samples = [samples[k] for k in rng.permutation(len(samples))]
    metric = LocalizationMetric(out_file=str(tmp_path / 'n.json'), protocols=[
        'pointing', dict(type='negative_audio', score_range=None,
                         thresholds=P.negative_audio_thresholds(expected))])
    metrics = run_metric(metric, samples)
    for kind in P.NEGATIVE_KINDS:
        for variant in P.VARIANTS:
            assert metrics[f'negative_audio/{kind}/pIA_{variant}'] == pytest.approx(
                neg[kind]['compute_metrics.pia_metric'][variant], abs=P.EXTRA_PIA_TOL)
            assert metrics[f'negative_audio/{kind}/AOC_{variant}'] == pytest.approx(
                neg[kind]['compute_AUC_pIA'][variant], abs=P.EXTRA_TOL)
    saved = json.loads((tmp_path / 'n.json').read_text())
    assert saved['num_negative_audio'] == 60 and saved['num_samples'] == 20
    probe = next(s for s in saved['samples'] if s['sample_id'] == f'{pair_ids[1]}@noise')
    assert probe['pia_thr05_negative_audio'] == pytest.approx(
        neg['noise']['compute_pIA']['thr05'][1], abs=P.EXTRA_PIA_TOL)
    assert 'raw_map' not in probe
    assert 'pia_maxq3_negative_audio' in saved['per_sample_keys']['negative_audio']


def test_pointing_is_in_every_default_evaluation(vsl):
    _, bench = vsl
    metrics = run_metric(METRICS.build(dict(type='CIoUMetric', protocol='fixed')),
                         vsl_samples(bench, with_negatives=False))
    reference = F.protocol_scores(bench.heatmaps, bench.gt_maps, 'pointing')
    assert metrics['pointing_game'] == reference['pointing_game']
    assert metrics['pointing_game_consensus'] == reference['pointing_game_consensus']
    assert 0 < metrics['pointing_game_consensus'] < metrics['pointing_game']  # Flickr's 0.5s


def test_unused_negatives_are_a_counted_skip(vsl, caplog):
    import logging

    from mmengine.logging import MMLogger
    _, bench = vsl
    records = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        metrics = run_metric(LocalizationMetric(), vsl_samples(bench))
    finally:
        logger.removeHandler(handler)
    assert metrics['cIoU'] == run_metric(LocalizationMetric(),
                                         vsl_samples(bench, with_negatives=False))['cIoU']
    assert any('20 negatives (is_negative) scored by no protocol' in r for r in records)


def test_probe_errors_name_the_sample():
    gt_map = np.zeros((224, 224))
    gt_map[:50, :50] = 1
    metric = LocalizationMetric(protocols=[dict(type='negative_audio', score_range=None)])
    with pytest.raises(ValueError, match='sample s@silence: a negative-audio probe needs pair_id'):
        metric.process({}, [dict(sample_id='s@silence', pred_sim_map=torch.rand(7, 7),
                                 negative_audio='silence')])
    metric.process({}, [positive('s', np.random.rand(7, 7).astype(np.float32), gt_map),
                        dict(sample_id='t@noise', pred_sim_map=torch.rand(7, 7),
                             negative_audio='noise', pair_id='t')])
    with pytest.raises(ValueError, match="t@noise: its pair_id 't' is not a positive"):
        metric.evaluate(2)


@pytest.mark.parametrize('kwargs, message', [
    (dict(protocols=['extended']), "'extended' needs score_range"),
    (dict(protocols=[dict(type='negative_audio')]), "'negative_audio' needs score_range"),
    (dict(protocols=[dict(type='extended', score_range=(-1, 1), negative_maps=[])]),
     'come from the data'),
    (dict(protocols=['median', dict(type='median')]), 'names must be unique'),
    (dict(protocols=['median'], protocol='fixed'), "'fixed' is not among protocols"),
    (dict(protocols=['top50']), "unknown protocol 'top50'"),
    (dict(protocols=[dict(name='x')]), "a dict with 'type'"),
])
def test_configuration_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LocalizationMetric(**kwargs)


def test_misspelt_protocol_option_names_the_protocol():
    with pytest.raises(TypeError, match=r"LocalizationMetric: protocol 'median' has no option"):
        LocalizationMetric(protocols=[dict(type='median', upsampl='bicubic')])


def test_headline_defaults_to_the_first_of_fixed_and_median():
    assert LocalizationMetric().protocol == 'fixed'
    assert LocalizationMetric(protocols=['median', 'fixed']).protocol == 'median'
    assert LocalizationMetric(protocols=['pointing']).protocol is None


def test_a_second_median_instance_reproduces_ezvsl_train_validation(vsl):
    expected, bench = vsl
    metrics = run_metric(LocalizationMetric(protocols=[
        'median', dict(type='median', name='median_train', upsample='bicubic',
                       align_corners=False)]), vsl_samples(bench, with_negatives=False))
    exp = expected['ezvsl']['flickr']['train_validate_av']
    assert metrics['median_train/cIoU'] == pytest.approx(exp['cIoU'], abs=P.VSL_DATASET_TOL)
    assert metrics['median_train/AUC'] == pytest.approx(exp['AUC'], abs=P.VSL_DATASET_TOL)
    assert metrics['cIoU'] == pytest.approx(expected['ezvsl']['flickr']['av']['cIoU'],
                                            abs=P.VSL_DATASET_TOL)


def test_all_protocols_with_the_methods_score_range(vsl, tmp_path):
    """protocols='all' with one score_range for the metric (the method's map
    scale, from its config): every protocol, SLAVC's figures as with the
    range given per protocol, and the run info in the per-sample file."""
    expected, bench = vsl
    metric = LocalizationMetric(protocols='all', score_range=list(P.SCORE_RANGE_AV),
                                out_file=str(tmp_path / 'all.json'))
    assert [p.name for p in metric.protocols] == [
        'fixed', 'median', 'pointing', 'adaptive', 'extended', 'extended_abs', 'negative_audio']
    assert all(p.resolved['score_range'] == P.SCORE_RANGE_AV for p in metric.protocols
               if p.type in ('extended', 'negative_audio'))
    metric.run_info = dict(config='c.py', checkpoint='e.pth')
    metrics = run_metric(metric, vsl_samples(bench))
    reference = run_metric(LocalizationMetric(protocols=[
        dict(type='extended', score_range=P.SCORE_RANGE_AV),
        dict(type='extended', name='extended_abs', score_range=P.SCORE_RANGE_AV,
             relative_prediction=False)]), vsl_samples(bench))
    for key, value in reference.items():
        assert metrics[key] == value, key
    assert {'cIoU', 'cIoU_median', 'pointing_game', 'adaptive/IIoU'} <= set(metrics)
    saved = json.loads((tmp_path / 'all.json').read_text())
    assert saved['run_info'] == dict(config='c.py', checkpoint='e.pth')
    # A protocol's own score_range wins over the metric's.
    own = LocalizationMetric(protocols=[dict(type='extended', score_range=None)],
                             score_range=(-1, 1))
    assert own.protocols[0].resolved['score_range'] is None
    with pytest.raises(ValueError, match=r"test_evaluator = dict\(score_range"):
        LocalizationMetric(protocols='all')
