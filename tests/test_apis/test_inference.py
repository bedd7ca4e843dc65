"""inference_localizer: frames and audio as paths or arrays through the model
config's test view, the same map as the test loop, and where the map lies in
the frame."""
import os.path as osp

import numpy as np
import pytest
import soundfile
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from PIL import Image

from sspl.apis import inference_localizer, init_localizer
from sspl.apis.inference import get_test_pipeline_cfg

CONFIG = 'configs/sspl_w_pcm_synthetic.py'  # tiny sizes, random weights: plumbing only


@pytest.fixture(scope='module')
def tiny_model(repo_root, tmp_path_factory):
    from sspl.registry import MODELS
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    torch.manual_seed(0)
    checkpoint = str(tmp_path_factory.mktemp('ckpt') / 'tiny.pth')
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, checkpoint)
    return init_localizer(osp.join(repo_root, CONFIG), checkpoint, device='cpu')


@pytest.fixture(scope='module')
def frame_and_audio():
    rng = np.random.RandomState(1)
    frame = rng.randint(0, 256, (90, 160, 3), dtype=np.uint8)      # 16:9, not square
    audio = (0.3 * rng.randn(16000 * 4)).astype(np.float32)         # 4 s at 16 kHz
    return frame, audio


def test_arrays_and_paths_give_the_same_map(tiny_model, frame_and_audio, tmp_path):
    frame, audio = frame_and_audio
    Image.fromarray(frame).save(tmp_path / 'frame.png')
    soundfile.write(tmp_path / 'audio.wav', audio, 16000, subtype='FLOAT')
    from_arrays = inference_localizer(tiny_model, frame, audio)
    from_paths = inference_localizer(tiny_model, str(tmp_path / 'frame.png'),
                                     str(tmp_path / 'audio.wav'))
    assert from_arrays.pred_sim_map.shape == (14, 14)
    assert torch.isfinite(from_arrays.pred_sim_map).all()
    torch.testing.assert_close(from_arrays.pred_sim_map, from_paths.pred_sim_map,
                               rtol=1e-5, atol=1e-6)
    assert from_paths.metainfo['sample_id'] == 'frame'
    assert from_arrays.metainfo['ori_shape'] == (90, 160)
    assert tuple(from_arrays.metainfo['img_shape']) == (112, 112)


def test_map_equals_the_test_loop_prediction(tiny_model, tmp_path):
    """Same sample through the dataset + model.test_step and through the API."""
    from sspl.registry import DATASETS
    cfg = tiny_model.cfg
    dataset_cfg = cfg.test_dataloader.dataset.copy()
    dataset_cfg.update(data_root=str(tmp_path / 'syn'), num_samples=2)
    dataset = DATASETS.build(dataset_cfg)
    sample = dataset[1]
    expected = tiny_model.test_step(pseudo_collate([sample]))[0].pred_sim_map
    info = dataset.get_data_info(1)
    result = inference_localizer(tiny_model, info['frame_path'], info['audio_path'])
    torch.testing.assert_close(result.pred_sim_map, expected.cpu(), rtol=1e-5, atol=1e-6)


def test_the_audio_window_matters(tiny_model, frame_and_audio):
    frame, audio = frame_and_audio
    silence_like = np.sin(np.linspace(0, 2000, 48000)).astype(np.float32)
    first = inference_localizer(tiny_model, frame, audio).pred_sim_map
    second = inference_localizer(tiny_model, frame, silence_like).pred_sim_map
    assert not torch.allclose(first, second)


def test_view_box_is_the_centre_crop_in_frame_pixels(tiny_model, frame_and_audio):
    frame, audio = frame_and_audio
    x0, y0, x1, y1 = inference_localizer(tiny_model, frame, audio).metainfo['view_box']
    # ResizeShortEdge(112): 160x90 -> 199x112 (int(112 * 160 / 90)); CenterCrop(112):
    # left = round((199 - 112) / 2) = 44; back in frame pixels x scales by 160 / 199.
    assert (x0, x1) == pytest.approx((44 * 160 / 199, 156 * 160 / 199), abs=1e-9)
    assert (y0, y1) == pytest.approx((0.0, 90.0), abs=1e-9)


def test_batches_short_and_stereo_audio(tiny_model, frame_and_audio):
    frame, audio = frame_and_audio
    short = audio[:8000]                           # 0.5 s: tiled like LoadAudio
    stereo = np.stack([audio, audio])              # (2, L) -> mono
    results = inference_localizer(tiny_model, [frame, frame, frame],
                                  [audio, short, stereo])
    assert isinstance(results, list) and len(results) == 3
    torch.testing.assert_close(results[0].pred_sim_map, results[2].pred_sim_map,
                               rtol=1e-5, atol=1e-6)
    resampled = inference_localizer(tiny_model, frame, audio[:int(0.5 * 22050)],
                                    sample_rate=22050)
    assert resampled.pred_sim_map.shape == (14, 14)


def test_pipeline_rate_and_window_come_from_the_config(tiny_model, frame_and_audio):
    """A config whose pipeline loads audio at 8 kHz / 2 s: a waveform at
    8 kHz is used as it is, the same clip given at 16 kHz is resampled to it."""
    import copy
    frame, audio = frame_and_audio
    model = copy.copy(tiny_model)
    model.cfg = copy.deepcopy(tiny_model.cfg)
    pipeline = model.cfg.test_dataloader.dataset.pipeline
    for step in pipeline:
        if step['type'] == 'LoadAudio':
            step.update(sample_rate=8000, duration=2.0)
    import librosa
    at_8k = librosa.resample(audio, orig_sr=16000, target_sr=8000)
    from_8k = inference_localizer(model, frame, at_8k, sample_rate=8000).pred_sim_map
    from_16k = inference_localizer(model, frame, audio, sample_rate=16000).pred_sim_map
    torch.testing.assert_close(from_8k, from_16k, rtol=1e-4, atol=1e-5)
    assert not torch.allclose(from_8k, inference_localizer(tiny_model, frame, audio).pred_sim_map)


def test_bad_inputs_are_clear_errors(tiny_model, frame_and_audio):
    frame, audio = frame_and_audio
    with pytest.raises(ValueError, match='2 frames but 1 audio'):
        inference_localizer(tiny_model, [frame, frame], [audio])
    with pytest.raises(ValueError, match=r'\(H, W, 3\) RGB'):
        inference_localizer(tiny_model, frame[..., 0], audio)
    with pytest.raises(ValueError, match='non-empty'):
        inference_localizer(tiny_model, frame, np.zeros(0, np.float32))
    # A pipeline that loads no audio itself cannot take a waveform array.
    import copy
    model = copy.copy(tiny_model)
    model.cfg = Config(dict(test_pipeline=[dict(type='LoadFrame'), dict(type='PackAVInputs')]))
    with pytest.raises(ValueError, match='no audio loading step'):
        inference_localizer(model, frame, audio)


def test_pipeline_comes_from_the_config(tiny_model, tmp_path):
    assert get_test_pipeline_cfg(tiny_model.cfg) == list(tiny_model.cfg.test_dataloader.dataset
                                                      .pipeline)
    # No built-in pipeline: a config without one is an error naming it.
    (tmp_path / 'model_only.py').write_text('model = dict(type="SSPL")\n')
    model_only = Config.fromfile(str(tmp_path / 'model_only.py'))
    with pytest.raises(ValueError, match=r'model_only\.py: the config has no test '
                       'pipeline'):
        get_test_pipeline_cfg(model_only)
    with pytest.raises(ValueError, match=r'model\.cfg'):
        get_test_pipeline_cfg(None)
    assert get_test_pipeline_cfg(Config(dict(test_pipeline=[dict(type='LoadAudio')]))) == [
        dict(type='LoadAudio')]
    wrapped = Config(dict(test_dataloader=dict(dataset=dict(
        type='ConcatDataset', dataset=dict(pipeline=[dict(type='LoadFrame')])))))
    assert get_test_pipeline_cfg(wrapped) == [dict(type='LoadFrame')]
