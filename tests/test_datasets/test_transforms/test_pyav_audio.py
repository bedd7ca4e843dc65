"""LoadAudioPyAV's fast decoding (PCM files opened without FFmpeg's stream
probing; 16-bit mono frames at the output rate not sent through the
resampler; the clip's frames found in integer arithmetic) gives the samples
of the published decoding (default probing, every frame through
libswresample, Fraction times), sample for sample, on every kind of
file: PCM of each width, mono and stereo, at and off the output rate, short
(tiled) and long (cropped) clips, compressed files (opened as published)."""
import glob
import os.path as osp
from unittest import mock

import numpy as np
import pytest

import sspl.datasets.transforms.pyav_audio as pyav_audio

soundfile = pytest.importorskip('soundfile')

#: (name, seconds, rate, channels, soundfile subtype, container format)
FILES = (
    ('mono16k_s16.wav', 5.0, 16000, 1, 'PCM_16', 'WAV'),
    ('stereo44k_s16.wav', 4.0, 44100, 2, 'PCM_16', 'WAV'),
    ('stereo16k_long.wav', 40.0, 16000, 2, 'PCM_16', 'WAV'),   # past the default probe
    ('mono22k_float.wav', 2.0, 22050, 1, 'FLOAT', 'WAV'),      # shorter than 3 s: tiled
    ('mono16k_s24.wav', 4.0, 16000, 1, 'PCM_24', 'WAV'),
    ('mono16k_u8.wav', 4.0, 16000, 1, 'PCM_U8', 'WAV'),
    ('mono16k_1s.wav', 1.0, 16000, 1, 'PCM_16', 'WAV'),
    ('mono16k.flac', 4.0, 16000, 1, 'PCM_16', 'FLAC'),         # not PCM: probed
    ('stereo16k.ogg', 4.0, 16000, 2, 'VORBIS', 'OGG'),
)


def published_decoding(path, duration, rate):
    """decode_clip as the published loader decodes: av.open with FFmpeg's
    default probing, every frame through the resampler (patched in, so the
    check does not rest on the ``fast=False`` switch it also tests)."""
    with mock.patch.object(pyav_audio, 'open_audio', lambda av, p: av.open(p)), \
            mock.patch.object(pyav_audio, '_is_output_format', lambda frame, rate: False), \
            mock.patch.object(pyav_audio, 'ClipWindow', pyav_audio.PublishedClipWindow):
        return pyav_audio.decode_clip(path, duration, rate)


@pytest.fixture(scope='module')
def audio_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp('audio')
    rng = np.random.default_rng(0)
    paths = []
    for name, seconds, rate, channels, subtype, container in FILES:
        shape = (int(seconds * rate),) if channels == 1 else (int(seconds * rate), channels)
        path = str(folder / name)
        soundfile.write(path, 0.5 * rng.uniform(-1, 1, shape), rate, subtype=subtype,
                        format=container)
        paths.append(path)
    return paths


@pytest.mark.parametrize('rate', [None, 16000])
@pytest.mark.parametrize('index', range(len(FILES)), ids=[f[0] for f in FILES])
def test_fast_decoding_gives_the_published_samples(audio_files, index, rate):
    path = audio_files[index]
    samples, sample_rate = pyav_audio.decode_clip(path, 3.0, rate)
    expected, expected_rate = published_decoding(path, 3.0, rate)
    assert sample_rate == expected_rate
    assert samples.dtype == expected.dtype == np.int16
    np.testing.assert_array_equal(samples, expected)
    slow, _ = pyav_audio.decode_clip(path, 3.0, rate, fast=False)  # the benchmark's baseline
    np.testing.assert_array_equal(slow, expected)


def test_parity_clips_decode_as_published(parity_dir):
    paths = sorted(glob.glob(osp.join(parity_dir, 'vsl', 'preprocessing', '*.wav')))
    assert paths
    for path in paths:
        for rate in (None, 16000):
            samples, _ = pyav_audio.decode_clip(path, 3.0, rate)
            np.testing.assert_array_equal(samples, published_decoding(path, 3.0, rate)[0])


def test_which_files_skip_the_probe_and_the_resampler(audio_files):
    """The fast paths are taken where they apply (else this file tests nothing):
    PCM opened with the smallest probe, compressed files probed; frames of
    16-bit mono at the output rate copied, the others resampled."""
    import av
    opened = []
    real_open = av.open

    def spy_open(path, *args, **kwargs):
        opened.append((osp.basename(path), kwargs.get('options')))
        return real_open(path, *args, **kwargs)

    converted = []
    real_check = pyav_audio._is_output_format

    def spy_check(frame, rate):
        converted.append(not real_check(frame, rate))
        return not converted[-1]

    by_name = {osp.basename(path): path for path in audio_files}
    with mock.patch.object(av, 'open', spy_open), \
            mock.patch.object(pyav_audio, '_is_output_format', spy_check):
        pyav_audio.decode_clip(by_name['mono16k_s16.wav'], 3.0, 16000)
        assert opened == [('mono16k_s16.wav', {'probesize': '32'})]
        assert converted and not any(converted)
        opened.clear(), converted.clear()
        pyav_audio.decode_clip(by_name['stereo44k_s16.wav'], 3.0, 16000)
        assert opened == [('stereo44k_s16.wav', {'probesize': '32'})]
        assert converted and all(converted)
        opened.clear()
        pyav_audio.decode_clip(by_name['mono16k.flac'], 3.0, 16000)
        assert opened == [('mono16k.flac', {'probesize': '32'}), ('mono16k.flac', None)]
        opened.clear(), converted.clear()
        pyav_audio.decode_clip(by_name['mono16k_s16.wav'], 3.0, 16000, fast=False)
        assert opened == [('mono16k_s16.wav', None)] and not converted


def test_integer_clip_window_decides_as_the_published_fractions():
    """ClipWindow (cross-multiplied integers) places every frame where the
    published Fraction arithmetic does, bounds that fall exactly on a frame's
    start or end included, for float, int and Fraction bounds."""
    from fractions import Fraction
    from types import SimpleNamespace
    rng = np.random.default_rng(0)
    cases = 0
    for time_base, rate in ((Fraction(1, 16000), 16000), (Fraction(1, 44100), 44100),
                            (Fraction(1, 48000), 16000), (Fraction(1, 90000), 22050)):
        for _ in range(400):
            samples = int(rng.choice([1024, 1152, 4096, int(rng.integers(1, 5000))]))
            pts = int(rng.integers(0, 10 ** 6))
            frame = SimpleNamespace(pts=pts, time_base=time_base, samples=samples, rate=rate)
            frame_start = pts * time_base
            frame_end = frame_start + Fraction(samples, rate)
            for start in (float(frame_end), float(frame_start), frame_end, 0,
                          float(frame_start) + float(rng.uniform(-1, 1))):
                start = max(start, 0)
                for end in (start + 3.0, frame_start, float(frame_start), start):
                    published = pyav_audio.PublishedClipWindow(start, end)
                    fast = pyav_audio.ClipWindow(start, end)
                    assert fast.position(frame) == published.position(frame), \
                        (pts, time_base, samples, rate, start, end)
                    cases += 1
    positions = {pyav_audio.PublishedClipWindow(s, s + 3.0).position(
        SimpleNamespace(pts=p, time_base=Fraction(1, 16000), samples=1024, rate=16000))
        for s, p in ((1.0, 0), (1.0, 16000), (1.0, 80000))}
    assert positions == {-1, 0, 1} and cases > 20000
