"""tools/demo/localize_video.py on a short video the test makes (PyAV):
a video with the same frame count (and sound), or one PNG with --frame."""
import os.path as osp

import av
import numpy as np
import pytest
import torch
from mmengine.config import Config

from sspl.testing import make_moving_square_video

CONFIG = 'configs/sspl_w_pcm_synthetic.py'  # tiny sizes, random weights: plumbing only
NUM_FRAMES, FPS, WIDTH, HEIGHT = 12, 8, 96, 64


def make_video(path, with_audio=True, seconds=NUM_FRAMES / FPS):
    """A red square sliding over grey (``HEIGHT x WIDTH``), with a 440 Hz tone
    at 44.1 kHz stereo."""
    return make_moving_square_video(path, NUM_FRAMES, FPS, (HEIGHT, WIDTH), step=5, channels=2,
                                    audio=with_audio, seconds=seconds)


@pytest.fixture(scope='module')
def assets(repo_root, tmp_path_factory, load_tool):
    from sspl.registry import MODELS
    folder = tmp_path_factory.mktemp('demo')
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    torch.manual_seed(0)
    checkpoint = str(folder / 'tiny.pth')
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, checkpoint)
    return dict(folder=folder, video=make_video(folder / 'clip.mp4'), checkpoint=checkpoint,
                config=osp.join(repo_root, CONFIG),
                demo=load_tool('tools/demo/localize_video.py'))


def count_frames(path):
    with av.open(path) as container:
        stream = container.streams.video[0]
        frames = [frame.to_ndarray(format='rgb24') for frame in container.decode(stream)]
        has_audio = bool(container.streams.audio)
    return frames, has_audio


def test_demo_writes_an_overlaid_video_with_every_frame(assets):
    out = str(assets['folder'] / 'out' / 'overlay.mp4')
    assets['demo'].main([assets['video'], assets['config'], assets['checkpoint'], '--out', out,
                         '--batch-size', '5'])
    source, _ = count_frames(assets['video'])
    frames, has_audio = count_frames(out)
    assert len(source) == NUM_FRAMES
    assert len(frames) == NUM_FRAMES
    assert frames[0].shape == source[0].shape
    assert has_audio
    # the heatmap changed the picture (the source is flat grey around the square)
    assert np.abs(frames[5].astype(int) - source[5].astype(int)).mean() > 10


def test_demo_interval_holds_maps_and_keeps_the_frame_count(assets):
    out = str(assets['folder'] / 'held.mp4')
    assets['demo'].main([assets['video'], assets['config'], assets['checkpoint'], '--out', out,
                         '--interval', '4', '--no-audio'])
    frames, has_audio = count_frames(out)
    assert len(frames) == NUM_FRAMES and not has_audio


def test_demo_single_frame_png(assets):
    import cv2
    out = str(assets['folder'] / 'frame.png')
    assets['demo'].main([assets['video'], assets['config'], assets['checkpoint'],
                         '--frame', '0.75', '--out', out])
    image = cv2.imread(out)
    assert image is not None and image.shape == (HEIGHT, WIDTH, 3)


def test_demo_needs_an_audio_track(assets):
    silent = make_video(assets['folder'] / 'silent.mp4', with_audio=False)
    with pytest.raises(ValueError, match='silent.mp4: the video has no audio stream'):
        assets['demo'].main([silent, assets['config'], assets['checkpoint'],
                             '--out', str(assets['folder'] / 'x.mp4')])


def test_audio_window_centres_shifts_and_keeps_short_clips():
    """The demo's windows: the preparation's audio_window on a mono track."""
    from sspl.datasets.preparation.clip_io import audio_window
    waveform = np.arange(16000 * 10, dtype=np.float32)  # 10 s
    middle = audio_window(waveform, 16000, 0.0, 5.0, 3.0)
    assert middle.size == 48000 and middle[0] == 16000 * 3.5
    start = audio_window(waveform, 16000, 0.0, 0.2, 3.0)
    assert start[0] == 0 and start.size == 48000
    end = audio_window(waveform, 16000, 0.0, 9.9, 3.0)
    assert end[-1] == waveform[-1] and end.size == 48000
    short = np.ones(16000, dtype=np.float32)
    assert audio_window(short, 16000, 0.0, 0.5, 3.0).size == 16000  # tiled later by the pipeline
    # times are video times: the track's first sample is at audio_start
    shifted = audio_window(waveform, 16000, 0.5, 5.5, 3.0)
    np.testing.assert_array_equal(shifted, middle)


def test_audio_window_starts_at_the_sample_nearest_to_the_exact_start():
    """The one rounding rule (the demo's former copy rounded the centre and
    subtracted half the length: one sample later here)."""
    from sspl.datasets.preparation.clip_io import audio_window
    waveform = np.arange(100, dtype=np.float32)
    # 5 samples centred at 10.6 samples: exact start 8.1 -> 8 (the former demo: 11 - 2 = 9)
    window = audio_window(waveform, 10, 0.0, center=1.06, duration=0.5)
    np.testing.assert_array_equal(window, [8, 9, 10, 11, 12])
    stereo = np.stack([waveform, -waveform])
    np.testing.assert_array_equal(audio_window(stereo, 10, 0.0, 1.06, 0.5)[1],
                                  [-8, -9, -10, -11, -12])
