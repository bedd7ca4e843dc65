"""sspl.datasets.preparation.clip_io: the PyAV clip reading of the
preparation tools (audio, middle time, frames by time and index, audio
windows, the errors' categories)."""
import numpy as np
import pytest

from sspl.testing import frame_level, make_video


@pytest.fixture(scope='module')
def tools():
    from sspl.datasets.preparation import clip_io
    return dict(clip_io=clip_io)


def test_clip_reading(tools, tmp_path):
    clip_io = tools['clip_io']
    path = make_video(str(tmp_path / 'v.mp4'), seconds=3.0, fps=10, rate=44100, channels=2)
    audio, rate, start = clip_io.decode_audio(path)
    assert rate == 44100 and audio.shape[0] == 2 and audio.dtype == np.float32
    assert abs(audio.shape[1] / rate - 3.0) < 0.1 and abs(start) < 0.05
    assert 0.2 < np.abs(audio).max() <= 1.0
    assert abs(clip_io.middle_time(path) - 1.5) < 1e-6
    frames = clip_io.frames_at_times(path, [0.0, 1.55, 1.5, 99.0])
    levels = [float(frame[:, 8:].mean()) for frame in frames]
    np.testing.assert_allclose(levels, [frame_level(i) for i in (0, 15, 15, 29)], atol=2)
    by_index = clip_io.frames_at_indices(path, [29, 3, 30])
    assert by_index[2] is None  # past the last frame
    np.testing.assert_allclose([f[:, 8:].mean() for f in by_index[:2]],
                               [frame_level(29), frame_level(3)], atol=2)
    window = clip_io.audio_window(audio, rate, start, center=2.9, duration=1.0)
    assert window.shape == (2, 44100)  # shifted to end inside the audio
    with pytest.raises(clip_io.ClipError, match='not inside the audio') as error:
        clip_io.audio_window(audio, rate, start, center=2.9, duration=1.0, require_inside=True)
    assert error.value.category == 'too_short'
    silent = make_video(str(tmp_path / 'silent.mp4'), seconds=1.0, audio=False)
    with pytest.raises(clip_io.ClipError) as error:
        clip_io.decode_audio(silent)
    assert error.value.category == 'no_audio'
    with pytest.raises(clip_io.ClipError) as error:
        clip_io.decode_audio(str(tmp_path / 'absent.mp4'))
    assert error.value.category == 'missing'
