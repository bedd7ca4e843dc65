"""EZ-VSL, SLAVC and FNAC through the real tools on their synthetic configs:
train -> test with overlays -> inference API (file and waveform array) ->
video demo; and an interrupted run resumed gives the uninterrupted one
(SLAVC's momentum networks and FNAC's epoch-driven warm-up included)."""
import glob
import json
import os.path as osp
import sys

import numpy as np
import pytest
import torch

from sspl.testing import (REPO_ROOT, loader_options, make_moving_square_video as make_video,
                          run_command)

CONFIGS = {method: osp.join(REPO_ROOT, 'configs', method, f'{method}_synthetic.py')
           for method in ('ezvsl', 'slavc', 'fnac')}
SPLITS = (('train', 16), ('val', 8), ('test', 8))

pytestmark = pytest.mark.slow


def tiny_options(data_root: str, epochs: int = 2) -> list:
    options = [f'train_cfg.max_epochs={epochs}', 'default_hooks.logger.interval=1',
               'log_processor.window_size=1', 'randomness.seed=3',
               # random image weights: no synthetic backbone to build (the
               # first-use test, tests/test_tools/, builds it)
               'model.visual_backbone.pretrained=None']
    return options + loader_options(SPLITS, data_root)


def run_tool(args):
    return run_command([sys.executable] + args, timeout=900)


def train_log(work_dir: str) -> list:
    """The logged training iterations of every run in ``work_dir``, by step."""
    records = []
    for scalars in glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')):
        with open(scalars) as f:
            records += [json.loads(line) for line in f if '"loss"' in line]
    return sorted(records, key=lambda record: record['step'])


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    return str(tmp_path_factory.mktemp('vsl_synthetic'))


@pytest.fixture(scope='module', params=sorted(CONFIGS))
def trained(request, data_root, tmp_path_factory):
    method = request.param
    root = tmp_path_factory.mktemp(method)
    work_dir = str(root / 'train')
    options = tiny_options(data_root)
    if method == 'fnac':
        options.append('model.loss.warmup_epochs=1')
    log = run_tool(['tools/train.py', CONFIGS[method], '--work-dir', work_dir, '--cfg-options']
                   + options)
    return dict(method=method, root=root, options=options, log=log, work_dir=work_dir,
                checkpoint=osp.join(work_dir, 'epoch_2.pth'))


def test_train(trained):
    assert 'Epoch(val) [2]' in trained['log'], trained['log'][-2000:]
    assert osp.isfile(trained['checkpoint'])
    assert glob.glob(osp.join(trained['work_dir'], 'best_cIoU_epoch_*.pth'))
    records = train_log(trained['work_dir'])
    assert all(np.isfinite(r['loss']) for r in records)
    if trained['method'] == 'fnac':
        # the warm-up follows the runner's epoch: the contrastive loss alone in
        # epoch 1, the three terms added from epoch 2 on
        first = [r for r in records if r['epoch'] == 1]
        second = [r for r in records if r['epoch'] == 2]
        assert first and second
        assert all(r['loss'] == pytest.approx(r['contrastive'], abs=1e-6) for r in first)
        assert all(r['loss'] > r['contrastive'] + 1e-3 for r in second)


def test_test_with_overlays(trained):
    root = trained['root']
    out = run_tool(['tools/test.py', CONFIGS[trained['method']], trained['checkpoint'],
                    '--work-dir', str(root / 'test'), '--show-dir', 'overlays',
                    '--cfg-options'] + trained['options'])
    assert 'Test results of' in out and 'cIoU' in out
    assert len(glob.glob(str(root / 'test' / 'overlays' / '*.png'))) == dict(SPLITS)['test']


def test_inference_api(trained, data_root):
    """A file path gives the test loop's map (and SLAVC's score); a waveform
    array through LoadAudioPyAV.prepare gives the same clip, so the same map."""
    import soundfile
    from mmengine.dataset import pseudo_collate

    from sspl.apis import inference_localizer, init_localizer
    from sspl.registry import DATASETS
    model = init_localizer(CONFIGS[trained['method']], trained['checkpoint'])
    dataset = DATASETS.build(dict(model.cfg.test_dataloader.dataset, data_root=data_root,
                                  num_samples=dict(SPLITS)['test']))
    info = dataset.get_data_info(1)
    result = inference_localizer(model, info['frame_path'], info['audio_path'])
    expected = model.test_step(pseudo_collate([dataset[1]]))[0]
    assert result.pred_sim_map.shape == (7, 7)  # 224 px / 32
    torch.testing.assert_close(result.pred_sim_map, expected.pred_sim_map)
    assert ('pred_score' in result) == (trained['method'] == 'slavc')
    samples, rate = soundfile.read(info['audio_path'], dtype='int16')
    from_array = inference_localizer(model, info['frame_path'], samples / 32767,
                                     sample_rate=rate)
    torch.testing.assert_close(from_array.pred_sim_map, result.pred_sim_map, rtol=1e-5,
                               atol=1e-5)


def test_video_demo(trained, load_tool):
    import av
    video = make_video(trained['root'] / 'clip.mp4')
    out = str(trained['root'] / 'demo' / 'overlay.mp4')
    load_tool('tools/demo/localize_video.py').main([video, CONFIGS[trained['method']],
                                                    trained['checkpoint'], '--out', out,
                                                    '--batch-size', '4'])
    with av.open(out) as container:
        assert len(list(container.decode(video=0))) == 6


@pytest.mark.parametrize('method', ['slavc', 'fnac'])
def test_resumed_run_is_the_uninterrupted_one(method, data_root, tmp_path):
    """1 epoch, then --resume to 2: every weight (SLAVC's momentum networks
    and their batch-norm statistics included) and every logged loss (FNAC's
    warm-up ends at epoch 1 in both) equal the uninterrupted 2-epoch run."""
    options = tiny_options(data_root, epochs=2)
    if method == 'fnac':
        options.append('model.loss.warmup_epochs=1')
    whole, part = str(tmp_path / 'whole'), str(tmp_path / 'part')
    run_tool(['tools/train.py', CONFIGS[method], '--work-dir', whole, '--cfg-options']
             + options)
    run_tool(['tools/train.py', CONFIGS[method], '--work-dir', part, '--cfg-options']
             + options[1:] + ['train_cfg.max_epochs=1'])
    run_tool(['tools/train.py', CONFIGS[method], '--work-dir', part, '--resume',
              osp.join(part, 'epoch_1.pth'), '--cfg-options'] + options)
    expected = torch.load(osp.join(whole, 'epoch_2.pth'), weights_only=True)['state_dict']
    resumed = torch.load(osp.join(part, 'epoch_2.pth'), weights_only=True)['state_dict']
    assert list(expected) == list(resumed)
    different = [key for key in expected if not torch.equal(expected[key], resumed[key])]
    assert different == []
    if method == 'slavc':
        assert any(key.startswith('momentum_') for key in expected)
    whole_log = [r['loss'] for r in train_log(whole) if r['epoch'] == 2]
    resumed_log = [r['loss'] for r in train_log(part) if r['epoch'] == 2]
    assert len(whole_log) == 4 and resumed_log == pytest.approx(whole_log, rel=1e-6)
