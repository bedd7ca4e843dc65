"""The acceptance runs of the evaluation protocols, as a user types them:
one ``tools/test.py`` run on an extended test set prints every protocol's
figures and writes them per sample (SSPL on the synthetic extended split with
the negative-audio probes, SSPL on a small Extended Flickr in the real file
formats, the centre prior), and the leaderboard reads the files."""
import glob
import json
import os
import os.path as osp
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from sspl import testing
from sspl.testing import REPO_ROOT

SYNTHETIC = osp.join(REPO_ROOT, 'configs', 'sspl_w_pcm_synthetic.py')

pytestmark = pytest.mark.slow

#: a figure of each protocol (protocols='all' and the probes)
EVERY_PROTOCOL = ('cIoU', 'AUC', 'cIoU_median', 'pointing_game', 'adaptive/IIoU',
                  'adaptive/cIoU_adap', 'extended/AP', 'extended/max_F1', 'extended/LocAcc',
                  'extended/AP@75', 'extended_abs/AP', 'negative_audio/silence/pIA_thr05',
                  'negative_audio/noise/AOC_thr05', 'negative_audio/offscreen/pIA_thrciou')


def loader_options(split='test', num=None, data_root=None):
    return testing.loader_options([(split, num)], data_root)


def run_test(args):
    return testing.run_command([sys.executable, 'tools/test.py'] + args)


def per_sample_file(work_dir):
    files = glob.glob(osp.join(work_dir, '*', 'per_sample', 'test.json'))
    assert len(files) == 1, files
    with open(files[0]) as f:
        return json.load(f)


def random_checkpoint(config, path, overrides=None):
    from mmengine.config import Config

    from sspl.registry import MODELS
    cfg = Config.fromfile(config)
    if overrides:
        cfg.merge_from_dict(overrides)
    cfg.model.visual_backbone.pretrained = None
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return path


def printed_figures(out):
    line = out.split('Test results of')[1].splitlines()[1]
    pairs = [item.split(': ') for item in line.split('  ') if ': ' in item]
    return {key.strip(): float(value) for key, value in pairs}


@pytest.fixture(scope='module')
def synthetic_runs(tmp_path_factory):
    """tools/test.py, as a user types it, on the synthetic extended split (6
    positives, 6 negatives): SSPL (random weights) with --negative-audio (3 x 6
    probes), configs/sspl_w_pcm_synthetic.py and --cfg-options; the centre
    prior of configs/baselines/. Returns ``{name: (work_dir, output)}``."""
    root = tmp_path_factory.mktemp('synthetic_runs')
    data = str(root / 'data')
    extended = ['test_dataloader.dataset.split=test_extended', 'test_evaluator.protocols=all',
                'visualizer.vis_backends=[]'] + loader_options(num=6, data_root=data)
    checkpoint = random_checkpoint(SYNTHETIC, str(root / 'sspl.pth'))
    runs = {}
    runs['sspl'] = str(root / 'sspl'), run_test([
        SYNTHETIC, checkpoint, '--work-dir', str(root / 'sspl'), '--negative-audio',
        '--cfg-options', 'model.visual_backbone.pretrained=None',
        'test_evaluator.score_range=(-1,1)'] + extended)
    prior = osp.join(REPO_ROOT, 'configs', 'baselines', 'center_prior_synthetic.py')
    runs['prior'] = str(root / 'prior'), run_test([
        prior, '--work-dir', str(root / 'prior'), '--cfg-options',
        'test_evaluator.score_range=None'] + extended)
    runs['checkpoint'] = checkpoint
    return runs


def test_sspl_on_the_synthetic_extended_split_with_probes(synthetic_runs):
    work_dir, out = synthetic_runs['sspl']
    assert '6 negatives, 18 negative-audio probes' in out
    figures = printed_figures(out)
    for key in EVERY_PROTOCOL:
        assert key in figures and 0.0 <= figures[key] <= 1.0, key
    saved = per_sample_file(work_dir)
    assert (saved['num_samples'], saved['num_negatives'], saved['num_negative_audio']) == (
        6, 6, 18)
    kinds = {sample['kind'] for sample in saved['samples']}
    assert kinds == {'positive', 'negative', 'negative_audio'}
    negative = next(s for s in saved['samples'] if s['kind'] == 'negative')
    assert 'conf_negative_extended' in negative and 'conf_negative_extended_abs' in negative
    probe = next(s for s in saved['samples'] if s['sample_id'] == 'test_00003@noise')
    assert probe['pair_id'] == 'test_00003' and 'pia_thr05_negative_audio' in probe
    assert saved['run_info']['checkpoint'] == synthetic_runs['checkpoint']
    assert saved['run_info']['model'] == 'SSPL'
    assert saved['run_info']['dataset']['type'] == 'NegativeAudioProbes'
    for key in EVERY_PROTOCOL:
        assert saved['metrics'][key] == pytest.approx(figures[key], abs=1e-4), key


def test_centre_prior_on_the_synthetic_extended_split(synthetic_runs):
    work_dir, out = synthetic_runs['prior']
    figures = printed_figures(out)
    assert 'extended/AP' in figures and 'adaptive/IIoU' in figures
    saved = per_sample_file(work_dir)
    # One map for every clip: its confidence is the same for positives and negatives.
    confs = {round(s.get('conf_extended', s.get('conf_negative_extended')), 6)
             for s in saved['samples']}
    assert len(confs) == 1 and saved['num_negatives'] == 6


def test_leaderboard_of_the_runs(synthetic_runs, tmp_path, load_tool):
    """tools/analysis/leaderboard.py on the two work dirs: one row each, the
    figures of their files, the two plots."""
    out_dir = str(tmp_path / 'board')
    outputs = load_tool('tools/analysis/leaderboard.py').main(
        [synthetic_runs['sspl'][0], synthetic_runs['prior'][0], '--out-dir', out_dir])
    assert outputs['runs'] == 2
    for key in ('markdown', 'csv', 'success_rate', 'precision_recall'):
        assert osp.isfile(outputs[key]), key
    import csv
    with open(outputs['csv']) as f:
        rows = {row['method']: row for row in csv.DictReader(f)}
    assert set(rows) == {'SSPL', 'CenterPriorLocalizer'}
    for name, (work_dir, _) in (('SSPL', synthetic_runs['sspl']),
                                ('CenterPriorLocalizer', synthetic_runs['prior'])):
        metrics = per_sample_file(work_dir)['metrics']
        assert float(rows[name]['fixed/cIoU']) == metrics['cIoU']
        assert float(rows[name]['median/AUC']) == metrics['AUC_median']
        assert float(rows[name]['extended/AP']) == metrics['extended/AP']
    assert rows['SSPL']['negative_audio/silence/pIA_thr05'] != ''
    assert rows['CenterPriorLocalizer']['negative_audio/silence/pIA_thr05'] == ''  # no probes
    assert rows['SSPL']['probes'] == '18'


def write_extended_flickr(root, num=6):
    """A small Extended Flickr in the real formats: 256 x 256 frames, wavs,
    one XML per test clip (two annotators), the test list and SLAVC's
    negatives csv (each test frame with another clip's audio)."""
    import soundfile

    from sspl.datasets.annotations import write_flickr_xml, write_id_list, write_negative_pairs
    rng = np.random.default_rng(0)
    ids = [str(1000 + i) for i in range(num)]
    for index, sample_id in enumerate(ids):
        os.makedirs(osp.join(root, 'frames'), exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (256, 256, 3), dtype=np.uint8)).save(
            osp.join(root, 'frames', f'{sample_id}.jpg'))
        os.makedirs(osp.join(root, 'audio'), exist_ok=True)
        soundfile.write(osp.join(root, 'audio', f'{sample_id}.wav'),
                        0.1 * rng.standard_normal(16000), 16000, subtype='PCM_16')
        x0 = 20 + 20 * index
        write_flickr_xml(osp.join(root, 'Annotations', f'{sample_id}.xml'),
                         [[x0, 30, x0 + 100, 150], [x0 + 10, 40, x0 + 120, 170]])
    write_id_list(osp.join(root, 'flickr_test249_in5k.csv'), ids)
    write_negative_pairs(osp.join(root, 'extended_flickr_test_plus_silent.csv'),
                         [(sample_id, ids[(k + 1) % num]) for k, sample_id in enumerate(ids)])
    return ids


TINY_SSPL = dict(model=dict(
    visual_backbone=dict(num_stages=5, width_mult=0.125, frozen=True, pretrained=None),
    audio_backbone=dict(width_mult=0.125, hidden_dim=256, pretrained=None),
    audio_head=dict(in_dim=128, hidden_dim=128, out_dim=64),
    neck=dict(visual_channels=64, audio_channels=128, out_channels=64),
    head=dict(in_dim=64, dim=512, pred_hidden_dim=128)))


def test_sspl_on_a_small_extended_flickr(tmp_path):
    """configs/sspl/sspl-w-pcm_vgg16-vggish_2xb128-20e_flickr10k-extended-flickr.py
    (a tiny model by --cfg-options) on files in the published formats:
    positives with their consensus boxes, SLAVC's negatives without."""
    root = str(tmp_path / 'flickr')
    write_extended_flickr(root)
    config = osp.join(REPO_ROOT, 'configs', 'sspl',
                      'sspl-w-pcm_vgg16-vggish_2xb128-20e_flickr10k-extended-flickr.py')
    checkpoint = random_checkpoint(config, str(tmp_path / 'sspl.pth'), TINY_SSPL)
    tiny = [f'{key}={value}' for key, value in (
        ('model.visual_backbone.num_stages', 5), ('model.visual_backbone.width_mult', 0.125),
        ('model.visual_backbone.pretrained', None), ('model.audio_backbone.width_mult', 0.125),
        ('model.audio_backbone.hidden_dim', 256), ('model.audio_backbone.pretrained', None),
        ('model.audio_head.in_dim', 128), ('model.audio_head.hidden_dim', 128),
        ('model.audio_head.out_dim', 64), ('model.neck.visual_channels', 64),
        ('model.neck.audio_channels', 128), ('model.neck.out_channels', 64),
        ('model.head.in_dim', 64), ('model.head.dim', 512), ('model.head.pred_hidden_dim', 128))]
    work_dir = str(tmp_path / 'work')
    out = run_test([config, checkpoint, '--work-dir', work_dir, '--cfg-options', *tiny,
                    'visualizer.vis_backends=[]'] + loader_options(data_root=root))
    assert '6 negatives' in out
    figures = printed_figures(out)
    for key in EVERY_PROTOCOL[:11]:  # every protocol but the probes (not asked for)
        assert key in figures, key
    saved = per_sample_file(work_dir)
    assert (saved['num_samples'], saved['num_negatives']) == (6, 6)
    assert {s['sample_id'] for s in saved['samples'] if s['kind'] == 'negative'} == {
        '1000@1001', '1001@1002', '1002@1003', '1003@1004', '1004@1005', '1005@1000'}
