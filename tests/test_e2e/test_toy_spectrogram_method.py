"""A new method drops in with no file changed outside its own module and
config: the toy spectrogram localizer (``toy_method/``, audio input
``spectrogram (B, 1, F, T)`` at 8 kHz, its own transform) registered through
``custom_imports``, run through the real tools: train -> test -> overlays
(``--show-dir``) -> inference API -> video demo -> benchmark."""
import glob
import json
import os
import os.path as osp
import sys

import numpy as np
import pytest
import torch

from sspl.testing import (REPO_ROOT, loader_options, make_moving_square_video as make_video,
                          run_command)

TOY_DIR = osp.join(REPO_ROOT, 'tests', 'test_e2e', 'toy_method')
CONFIG = osp.join(TOY_DIR, 'toy_spectrogram_synthetic.py')
SPLITS = (('train', 16), ('val', 8), ('test', 8))

pytestmark = pytest.mark.slow


def tiny_options(data_root: str) -> list:
    options = ['train_cfg.max_epochs=2', 'default_hooks.logger.interval=1', 'randomness.seed=3']
    return options + loader_options(SPLITS, data_root)


def run_tool(args):
    """A tool as a user runs it, with the toy's folder on PYTHONPATH (what
    ``custom_imports`` needs)."""
    return run_command([sys.executable] + args, env_extra=dict(
        PYTHONPATH=os.pathsep.join(filter(None, [TOY_DIR, os.environ.get('PYTHONPATH')]))))


def test_the_toolbox_never_names_the_toy():
    """Nothing outside the toy's folder knows it: the package, the tools and
    the configs hold no reference to its module, classes or config."""
    names = ('toy_spectrogram', 'ToySpectrogram')
    for folder in ('sspl', 'tools', 'configs'):
        for path in glob.glob(osp.join(REPO_ROOT, folder, '**', '*.*'), recursive=True):
            if path.endswith(('.py', '.sh', '.md', '.json')):
                with open(path, encoding='utf-8') as f:
                    text = f.read()
                assert not any(name in text for name in names), path


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """tools/train.py on the toy config: its own loss, the generic optimizer
    constructor, the runtime's hooks, validation and best-checkpoint keeping."""
    root = tmp_path_factory.mktemp('toy')
    data_root, work_dir = str(root / 'data'), str(root / 'train')
    options = tiny_options(data_root)
    log = run_tool(['tools/train.py', CONFIG, '--work-dir', work_dir, '--cfg-options']
                   + options)
    return dict(root=root, data_root=data_root, options=options, log=log,
                checkpoint=osp.join(work_dir, 'epoch_2.pth'), work_dir=work_dir)


def test_train(trained):
    assert 'Epoch(train) [2]' in trained['log'], trained['log'][-2000:]
    assert 'Epoch(val) [2]' in trained['log']
    assert osp.isfile(trained['checkpoint'])
    assert glob.glob(osp.join(trained['work_dir'], 'best_cIoU_epoch_*.pth'))


def test_test_with_overlays(trained):
    """tools/test.py with --show-dir: figures, per-sample results, one overlay per clip."""
    root = trained['root']
    out = run_tool(['tools/test.py', CONFIG, trained['checkpoint'], '--work-dir',
                    str(root / 'test'), '--show-dir', 'overlays', '--cfg-options']
                   + trained['options'])
    assert 'Test results of' in out and 'cIoU' in out
    overlays = glob.glob(str(root / 'test' / 'overlays' / '*.png'))
    assert len(overlays) == dict(SPLITS)['test']
    (per_sample,) = glob.glob(str(root / 'test' / '*' / 'per_sample' / 'test.json'))
    with open(per_sample) as f:
        assert len(json.load(f)['samples']) == dict(SPLITS)['test']


def test_inference_api(trained, monkeypatch):
    """The config's pipeline (8 kHz, 2 s, the toy's spectrogram): the test
    loop's map and score, from a path or from a waveform at another rate."""
    monkeypatch.syspath_prepend(TOY_DIR)
    import soundfile
    from mmengine.dataset import pseudo_collate

    from sspl.apis import inference_localizer, init_localizer
    from sspl.registry import DATASETS
    model = init_localizer(CONFIG, trained['checkpoint'], device='cpu')
    assert type(model).__name__ == 'ToySpectrogramLocalizer'
    dataset = DATASETS.build(dict(model.cfg.test_dataloader.dataset,
                                  data_root=trained['data_root'],
                                  num_samples=dict(SPLITS)['test']))
    info = dataset.get_data_info(1)
    result = inference_localizer(model, info['frame_path'], info['audio_path'])
    expected = model.test_step(pseudo_collate([dataset[1]]))[0]
    assert result.pred_sim_map.shape == (16, 16)
    torch.testing.assert_close(result.pred_sim_map, expected.pred_sim_map, rtol=1e-5,
                               atol=1e-6)
    torch.testing.assert_close(result.pred_score, expected.pred_score.cpu(), rtol=1e-5,
                               atol=1e-6)
    waveform, rate = soundfile.read(info['audio_path'], dtype='float32')
    assert rate != 8000  # the array is resampled to the pipeline's rate
    from_array = inference_localizer(model, info['frame_path'], waveform, sample_rate=rate)
    torch.testing.assert_close(from_array.pred_sim_map, result.pred_sim_map, rtol=1e-4,
                               atol=1e-5)


def test_video_demo(trained, monkeypatch, load_tool):
    """tools/demo/localize_video.py: every frame of the clip, overlaid."""
    import av
    monkeypatch.syspath_prepend(TOY_DIR)
    video = make_video(trained['root'] / 'clip.mp4')
    out = str(trained['root'] / 'demo' / 'overlay.mp4')
    load_tool('tools/demo/localize_video.py').main([video, CONFIG, trained['checkpoint'],
                                                    '--out', out, '--batch-size', '4'])
    with av.open(video) as container:
        source = [f.to_ndarray(format='rgb24') for f in container.decode(video=0)]
    with av.open(out) as container:
        frames = [f.to_ndarray(format='rgb24') for f in container.decode(video=0)]
    assert len(frames) == len(source) == 6
    assert np.abs(frames[3].astype(int) - source[3].astype(int)).mean() > 10  # overlaid


def test_benchmark(trained, monkeypatch, load_tool):
    """tools/analysis/benchmark.py: no benchmark part of its own, so the
    generic figures (train, eval, data, memory) and no floor."""
    monkeypatch.syspath_prepend(TOY_DIR)
    figures = load_tool('tools/analysis/benchmark.py').main(
        [CONFIG, '--batch-size', '2', '--iters', '1', '--warmup', '0', '--device', 'cpu',
         '--threads', '1', '--data-samples', '4', '--num-workers', '0',
         '--work-dir', str(trained['root'] / 'bench')])
    for key in ('train_samples_per_s', 'eval_samples_per_s', 'data_samples_per_s',
                'data_workers_samples_per_s'):
        assert np.isfinite(figures[key]) and figures[key] > 0, key
    assert np.isfinite(figures['peak_mem_mb']) and 'floor_samples_per_s' not in figures


def test_center_prior_through_inference_api_and_video_demo(tmp_path, load_tool):
    """The parameter-free centre prior runs through the same generic tools:
    the inference API (no checkpoint: nothing to load) gives its map, and the
    video demo takes its empty checkpoint."""
    import av

    from sspl.apis import inference_localizer, init_localizer
    from sspl.evaluation.functional import center_prior_map
    config = osp.join(REPO_ROOT, 'configs', 'baselines', 'center_prior_synthetic.py')
    model = init_localizer(config, device='cpu')
    frame = np.random.default_rng(0).integers(0, 255, (90, 160, 3), dtype=np.uint8)
    result = inference_localizer(model, frame, np.zeros(16000, np.float32))
    np.testing.assert_array_equal(result.pred_sim_map.numpy(), center_prior_map((14, 14)))
    checkpoint = str(tmp_path / 'center_prior.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), checkpoint)
    video = make_video(tmp_path / 'clip.mp4')
    out = str(tmp_path / 'overlay.mp4')
    load_tool('tools/demo/localize_video.py').main([video, config, checkpoint, '--out', out])
    with av.open(out) as container:
        assert len(list(container.decode(video=0))) == 6
