"""sspl.apis.video_inference: the video demo's pre-processing comes from the
model's config (its test pipeline's audio loading step), never from constants."""
import os.path as osp
from types import SimpleNamespace

import numpy as np
import pytest
from mmengine.config import Config

import sspl.apis.video_inference as video_inference
from sspl import testing
from sspl.testing import dominant_frequency

CONFIG = 'configs/sspl_w_pcm_synthetic.py'


def make_video(path, seconds=1.5, fps=8, rate=44100, tone_hz=440.0):
    """A grey 64 x 48 mpeg4 video with a stereo tone of ``tone_hz`` at ``rate``."""
    return testing.make_video(path, seconds=seconds, fps=fps, size=(64, 48), rate=rate,
                              tone_hz=tone_hz, amplitude=0.4, frame=testing.uniform_frame(90),
                              bit_rate=None)


def config_with_audio_loading(repo_root, load_audio):
    """The synthetic config, its test pipeline's LoadAudio built with the
    arguments ``load_audio`` (``None``: the LoadAudio step removed)."""
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    pipeline = [step for step in cfg.test_dataloader.dataset.pipeline
                if step['type'] != 'LoadAudio']
    if load_audio is not None:
        pipeline.insert(1, dict(type='LoadAudio', **load_audio))  # after LoadFrame
    cfg.test_dataloader.dataset.pipeline = pipeline
    return cfg


@pytest.fixture
def recorded_inference(monkeypatch):
    """Replaces the inference API in video_inference by a recorder of its
    arguments (the model is not run)."""
    calls = []

    def record(model, frames, audios, sample_rate=None):
        calls.append(dict(frames=frames, audios=audios, sample_rate=sample_rate))
        return ['map'] * len(frames)
    monkeypatch.setattr(video_inference, 'inference_localizer', record)
    return calls


def test_rate_and_window_come_from_the_test_pipeline(repo_root, tmp_path, recorded_inference):
    video = make_video(tmp_path / 'tone.mp4', seconds=1.5, rate=44100)
    model = SimpleNamespace(cfg=config_with_audio_loading(
        repo_root, dict(sample_rate=8000, duration=0.5)))
    localizer = video_inference.VideoLocalizer(model, video)
    assert localizer.sample_rate == 8000 and localizer.window == 0.5
    assert abs(localizer.waveform.size / 8000 - 1.5) < 0.05  # resampled once, mono
    assert localizer.waveform.ndim == 1 and localizer.waveform.dtype == np.float32
    assert localizer([np.zeros((48, 64, 3), np.uint8)] * 2, [0.0, 0.75]) == ['map'] * 2
    call, = recorded_inference
    assert call['sample_rate'] == 8000
    assert [audio.size for audio in call['audios']] == [4000, 4000]
    assert abs(dominant_frequency(call['audios'][1], 8000) - 440) < 5
    np.testing.assert_array_equal(call['audios'][1], localizer.audio_at(0.75))

    other = SimpleNamespace(cfg=config_with_audio_loading(
        repo_root, dict(sample_rate=22050, duration=1.0)))
    localizer = video_inference.VideoLocalizer(other, video, window=0.25)
    assert localizer.sample_rate == 22050 and localizer.window == 0.25
    assert localizer.audio_at(0.75).size == int(round(0.25 * 22050))


def test_a_pipeline_without_audio_loading_is_refused_naming_the_config(repo_root, tmp_path):
    video = make_video(tmp_path / 'tone.mp4')
    cfg = config_with_audio_loading(repo_root, None)
    with pytest.raises(ValueError, match=r'sspl_w_pcm_synthetic\.py: the test pipeline has no '
                                         r'audio loading step'):
        video_inference.VideoLocalizer(SimpleNamespace(cfg=cfg), video)


def test_the_demo_module_holds_no_audio_constants(repo_root):
    with open(osp.join(repo_root, 'tools', 'demo', 'localize_video.py')) as f:
        source = f.read()
    assert '16000' not in source and 'SAMPLE_RATE' not in source
