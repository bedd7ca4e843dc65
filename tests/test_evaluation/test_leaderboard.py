"""The leaderboard on hand-made result files (written by LocalizationMetric
itself from maps made here): figures under one name per protocol whatever
the headline, curves whose areas are the metric's AUC and AP, the table's
best marks, the tool's outputs. (tests/test_e2e/test_extended_evaluation.py
runs it on files of real tools/test.py runs.)"""
import csv
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch

from sspl.evaluation import LocalizationMetric
from sspl.evaluation.leaderboard import (auc_of_curve, build_leaderboard, figure_columns,
                                         find_result_files, load_result, to_markdown)


def samples(seed, num=12, negatives=6, probes=('silence',)):
    rng = np.random.default_rng(seed)
    out = []
    for index in range(num):
        gt = np.zeros((224, 224), np.float32)
        x0 = int(rng.integers(0, 120))
        gt[40:160, x0:x0 + 100] = 1
        raw = rng.uniform(-1, 1, (7, 7)).astype(np.float32)
        raw[1:5, x0 // 32:x0 // 32 + 3] += seed  # better maps for a higher seed
        out.append(dict(sample_id=f'c{index}', pred_sim_map=torch.from_numpy(raw),
                        gt_map=torch.from_numpy(gt)))
        for kind in probes:
            out.append(dict(sample_id=f'c{index}@{kind}', negative_audio=kind,
                            pair_id=f'c{index}', pred_sim_map=torch.from_numpy(
                                rng.uniform(-1, 1, (7, 7)).astype(np.float32))))
    for index in range(negatives):
        out.append(dict(sample_id=f'n{index}', is_negative=True, img_shape=(224, 224),
                        pred_sim_map=torch.from_numpy(rng.uniform(-1, 1, (7, 7)).astype(
                            np.float32))))
    return out


def write_run(path, seed, model, headline='fixed', test_set='vggss_test_5158.json', **kw):
    metric = LocalizationMetric(protocols='all', protocol=headline, score_range=(-1, 1),
                                out_file=str(path))
    metric.run_info = dict(model=model, config=f'configs/{model.lower()}_x.py',
                           checkpoint=f'/w/{model}/epoch_{seed}.pth',
                           dataset=dict(type='VGGSoundDataset', ann_file=f'data/{test_set}',
                                        negatives_file='extended_vggss_test_plus_silent.csv'))
    batch = samples(seed, **kw)
    for start in range(0, len(batch), 5):
        metric.process({}, batch[start:start + 5])
    return metric.evaluate(len(batch))


def test_figures_curves_and_table(tmp_path):
    metrics_a = write_run(tmp_path / 'a.json', 1, 'A')
    metrics_b = write_run(tmp_path / 'b.json', 3, 'B', headline='median')
    a, b = load_result(str(tmp_path / 'a.json')), load_result(str(tmp_path / 'b.json'))
    # One name per figure, whichever protocol a run reported as cIoU.
    assert a.figures['fixed/cIoU'] == metrics_a['cIoU']
    assert a.figures['median/cIoU'] == metrics_a['cIoU_median']
    assert b.figures['median/cIoU'] == metrics_b['cIoU']
    assert b.figures['fixed/AUC'] == metrics_b['AUC_fixed']
    assert a.figures['pointing/pointing_game'] == metrics_a['pointing_game']
    assert a.figures['negative_audio/silence/pIA_thr05'] == metrics_a[
        'negative_audio/silence/pIA_thr05']
    assert (a.method, a.config, a.checkpoint) == ('A', 'a_x', 'epoch_1.pth')
    assert a.test_set == 'vggss_test_5158.json + extended_vggss_test_plus_silent'
    assert a.counts == dict(positives=12, negatives=6, probes=12)
    # The curves' areas are the metric's AUC and AP.
    for run, metrics in ((a, metrics_a), (b, metrics_b)):
        for protocol in ('fixed', 'median', 'extended', 'extended_abs'):
            assert auc_of_curve(run.success_curve(protocol)) == pytest.approx(
                run.figures[f'{protocol}/AUC'], abs=1e-12), protocol
        recall, precision = run.precision_recall('extended')
        area = sum(precision[i] * (recall[i + 1] - recall[i]) for i in range(len(recall) - 1))
        assert area == pytest.approx(run.figures['extended/AP'], abs=1e-12)
        recall, precision = run.precision_recall('extended', 0.75)
        area = sum(precision[i] * (recall[i + 1] - recall[i]) for i in range(len(recall) - 1))
        assert area == pytest.approx(run.figures['extended/AP@75'], abs=1e-12)
    assert b.figures['fixed/cIoU'] > a.figures['fixed/cIoU']  # the better maps win
    runs, columns, rows = build_leaderboard([str(tmp_path / 'a.json'), str(tmp_path / 'b.json')],
                                            patterns=['*/cIoU', 'negative_audio/*/pIA_thr05'])
    assert columns == ['fixed/cIoU', 'median/cIoU', 'adaptive/cIoU',
                       'negative_audio/silence/pIA_thr05']
    table = to_markdown(rows, columns)
    row_b = next(line for line in table.splitlines() if line.startswith('| B '))
    assert f"**{b.figures['fixed/cIoU']:.3f}**" in row_b  # higher cIoU: bold
    low = min(a.figures['negative_audio/silence/pIA_thr05'],
              b.figures['negative_audio/silence/pIA_thr05'])
    assert f'**{low:.3f}**' in table  # lower pIA: bold
    assert figure_columns(runs)[:3] == ['fixed/cIoU', 'fixed/AUC', 'fixed/mean_cIoU']


def test_the_tool_on_folders(tmp_path, load_tool):
    for name, seed in (('run_a', 1), ('run_b', 2)):
        folder = tmp_path / name / '20260101_000000' / 'per_sample'
        folder.mkdir(parents=True)
        write_run(folder / 'test.json', seed, 'SSPL')
    out = str(tmp_path / 'board')
    outputs = load_tool('tools/analysis/leaderboard.py').main([
        str(tmp_path / 'run_a'), str(tmp_path / 'run_b'), '--out-dir', out, '--label',
        f"{tmp_path / 'run_b'}=SSPL (ours)", '--columns', 'fixed/*', 'extended/AP'])
    with open(outputs['csv']) as f:
        rows = list(csv.DictReader(f))
    assert [row['method'] for row in rows] == ['SSPL', 'SSPL (ours)']
    assert list(rows[0])[7:] == ['fixed/cIoU', 'fixed/AUC', 'fixed/mean_cIoU', 'extended/AP']
    for key in ('success_rate', 'precision_recall'):
        assert os.path.getsize(outputs[key]) > 10000, key  # a drawn PNG
    with open(outputs['success_rate'], 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'


def test_bad_inputs_name_the_file(tmp_path):
    (tmp_path / 'x.json').write_text(json.dumps(dict(hello=1)))
    with pytest.raises(ValueError, match="x.json: not a per-sample result file"):
        load_result(str(tmp_path / 'x.json'))
    (tmp_path / 'y.json').write_text('{')
    with pytest.raises(ValueError, match='y.json: not a readable'):
        load_result(str(tmp_path / 'y.json'))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no per_sample/test.json below it'):
        find_result_files([str(tmp_path / 'empty')])
    with pytest.raises(FileNotFoundError, match='no such result file'):
        find_result_files([str(tmp_path / 'nothing.json')])
    assert osp.isfile(tmp_path / 'x.json')
