"""Bad input to LoadFrame and LoadAudio: every kind of broken or unusual
frame and audio file gives the right image or signal, or an error naming the
file. (The counted skip in training and the error in evaluation:
tests/test_datasets/test_base_av_dataset.py and
tests/test_engine/test_hooks/test_skipped_sample_hook.py; annotation checks:
tests/test_datasets/test_validation.py; tools/data/check_dataset.py:
tests/test_tools/test_check_dataset.py.)"""
import os

import numpy as np
import pytest
import soundfile
from PIL import Image

from sspl.datasets.transforms import LoadAudio, LoadFrame
from sspl.datasets.validation import DataLoadError
from sspl.testing import dominant_frequency, tone, truncate, write_frame as write_png_frame

# ----------------------------------------------------------------------------
# Frames
# ----------------------------------------------------------------------------


def _load(path):
    return LoadFrame()(dict(frame_path=str(path)))['img']


def test_frame_missing_names_the_file(tmp_path):
    path = tmp_path / 'absent.jpg'
    with pytest.raises(DataLoadError, match=r'absent\.jpg: frame file does not exist'):
        _load(path)


@pytest.mark.parametrize('kind', ['jpeg', 'png'])
def test_frame_truncated_names_the_file(tmp_path, kind):
    path = tmp_path / f'cut.{kind}'
    image = np.random.default_rng(0).integers(0, 256, (96, 96, 3), dtype=np.uint8)
    Image.fromarray(image).save(path)
    truncate(str(path), 0.5)
    with pytest.raises(DataLoadError, match=rf'cut\.{kind}: cannot decode the image'):
        _load(path)


@pytest.mark.parametrize('content', [b'', b'not an image at all' * 10], ids=['empty', 'garbage'])
def test_frame_corrupt_names_the_file(tmp_path, content):
    path = tmp_path / 'bad.png'
    path.write_bytes(content)
    with pytest.raises(DataLoadError, match=r'bad\.png: cannot decode the image'):
        _load(path)


def test_frame_grayscale_becomes_rgb(tmp_path):
    gray = np.arange(32 * 32, dtype=np.uint8).reshape(32, 32)
    Image.fromarray(gray, 'L').save(tmp_path / 'g.png')
    img = _load(tmp_path / 'g.png')
    assert img.dtype == np.uint8 and img.shape == (32, 32, 3)
    for channel in range(3):
        np.testing.assert_array_equal(img[..., channel], gray)


def test_frame_rgba_drops_alpha_keeps_colour(tmp_path):
    rgba = np.random.default_rng(1).integers(0, 256, (16, 16, 4), dtype=np.uint8)
    rgba[..., 3] = 0  # fully transparent: the stored colours must survive
    Image.fromarray(rgba, 'RGBA').save(tmp_path / 'a.png')
    img = _load(tmp_path / 'a.png')
    assert img.shape == (16, 16, 3)
    np.testing.assert_array_equal(img, rgba[..., :3])


def test_frame_cmyk_jpeg_becomes_rgb(tmp_path):
    rgb = np.zeros((32, 32, 3), dtype=np.uint8)
    rgb[:, :16] = (200, 30, 40)
    rgb[:, 16:] = (20, 60, 220)
    Image.fromarray(rgb).convert('CMYK').save(tmp_path / 'c.jpg', quality=98)
    assert Image.open(tmp_path / 'c.jpg').mode == 'CMYK'
    img = _load(tmp_path / 'c.jpg')
    assert img.shape == (32, 32, 3) and img.dtype == np.uint8
    assert np.abs(img[4:28, 2:12].astype(int) - (200, 30, 40)).max() <= 12
    assert np.abs(img[4:28, 20:30].astype(int) - (20, 60, 220)).max() <= 12


def test_frame_16bit_png_is_scaled_not_clipped(tmp_path):
    import cv2
    gray16 = (np.arange(64 * 64).reshape(64, 64) * 16).astype(np.uint16)  # 0 .. 65520
    cv2.imwrite(str(tmp_path / 'g16.png'), gray16)
    img = _load(tmp_path / 'g16.png')
    expected = np.round(gray16 / 257.0).astype(np.uint8)
    for channel in range(3):
        np.testing.assert_array_equal(img[..., channel], expected)

    rgb16 = np.stack([gray16, 65535 - gray16, np.full_like(gray16, 257 * 100)], axis=-1)
    cv2.imwrite(str(tmp_path / 'c16.png'), rgb16[..., ::-1])  # OpenCV writes BGR
    img = _load(tmp_path / 'c16.png')
    np.testing.assert_array_equal(img, np.round(rgb16 / 257.0).astype(np.uint8))


def test_frame_palette_png_becomes_rgb(tmp_path):
    rgb = write_png_frame(str(tmp_path / 'rgb.png'), size=16)
    Image.fromarray(rgb).convert('P', palette=Image.Palette.ADAPTIVE, colors=256).save(
        tmp_path / 'p.png')
    img = _load(tmp_path / 'p.png')
    assert img.shape == (16, 16, 3) and img.dtype == np.uint8
    assert np.abs(img.astype(int) - rgb).mean() < 40


# ----------------------------------------------------------------------------
# Audio
# ----------------------------------------------------------------------------


def _load_audio(path, duration=3.0):
    return LoadAudio(sample_rate=16000, duration=duration)(dict(audio_path=str(path)))['waveform']


@pytest.mark.parametrize('rate,subtype,channels', [
    (16000, 'PCM_U8', 1), (16000, 'PCM_24', 1), (16000, 'FLOAT', 1), (16000, 'PCM_16', 6),
    (8000, 'PCM_16', 1), (48000, 'PCM_16', 1), (44100, 'PCM_16', 2)],
    ids=['8bit', '24bit', 'float32', '6ch', '8kHz', '48kHz', 'stereo44k'])
def test_audio_formats_give_the_right_signal(tmp_path, rate, subtype, channels):
    path = tmp_path / 'a.wav'
    soundfile.write(str(path), tone(1.5, rate, 440.0, channels), rate, subtype=subtype)
    info = soundfile.info(str(path))
    assert (info.samplerate, info.subtype, info.channels) == (rate, subtype, channels)
    waveform = _load_audio(path)
    assert waveform.shape == (48000,) and waveform.dtype == np.float32
    assert np.isfinite(waveform).all() and waveform.min() >= -1 and waveform.max() <= 1
    assert abs(dominant_frequency(waveform, 16000) - 440.0) < 5.0


def test_audio_silent_is_constant_not_nan(tmp_path):
    path = tmp_path / 'silent.wav'
    soundfile.write(str(path), np.zeros(16000 * 4, dtype=np.float32), 16000, subtype='PCM_16')
    waveform = _load_audio(path)
    assert np.isfinite(waveform).all()
    np.testing.assert_array_equal(waveform, np.full(48000, -1.0, dtype=np.float32))


def test_audio_shorter_than_a_second_is_tiled(tmp_path):
    path = tmp_path / 'short.wav'
    short = tone(0.3, 16000, 440.0)
    soundfile.write(str(path), short, 16000, subtype='FLOAT')
    waveform = _load_audio(path)
    assert waveform.shape == (48000,) and np.isfinite(waveform).all()
    # a tiling of the 4800-sample clip (after min-max normalisation)
    normalised = (short - short.min()) / (short.max() - short.min() + 1e-3) * 2 - 1
    period = short.size
    for start in (0, period, 2 * period):
        segment = waveform[start:start + period]
        offset = int(np.argmin(np.abs(normalised - segment[0])))
        assert np.allclose(segment[:100], np.roll(normalised, -offset)[:100], atol=1e-3)


@pytest.mark.parametrize('case', ['missing', 'empty_file', 'garbage', 'no_samples', 'nan'])
def test_audio_unusable_names_the_file(tmp_path, case):
    path = tmp_path / f'{case}.wav'
    if case == 'empty_file':
        path.write_bytes(b'')
    elif case == 'garbage':
        path.write_bytes(b'RIFF' + os.urandom(200))
    elif case == 'no_samples':
        soundfile.write(str(path), np.zeros(0, dtype=np.float32), 16000, subtype='PCM_16')
    elif case == 'nan':
        data = tone(1.0, 16000)
        data[100:200] = np.nan
        soundfile.write(str(path), data, 16000, subtype='FLOAT')
    expected = {'missing': 'audio file does not exist', 'empty_file': 'cannot decode the audio',
                'garbage': 'cannot decode the audio', 'no_samples': 'holds no samples',
                'nan': 'NaN or infinite'}[case]
    with pytest.raises(DataLoadError, match=rf'{case}\.wav: .*{expected}'):
        _load_audio(path)
