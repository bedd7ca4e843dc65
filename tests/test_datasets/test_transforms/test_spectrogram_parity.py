"""Pre-processing parity of EZ-VSL / SLAVC / FNAC (``../shared/parity/vsl/preprocessing``):
the published PyAV loading (int16 samples exact), the log spectrogram in the
worker (LogSpectrogram) within 1e-6, and the published test view of a frame
within 1e-5 (README tolerances). The device front end:
tests/test_models/test_audio_frontends/test_log_spectrogram_frontend.py."""
import json
import os.path as osp

import numpy as np
import pytest

from sspl.datasets.transforms import (LoadAudioPyAV, LoadFrame, LogSpectrogram, PackAVInputs,
                                      Resize)
from sspl.models.data_preprocessors import AVDataPreprocessor

CASES = ('mono16k_5s', 'stereo22k_2p2s', 'mono44k_4s')
SPECTROGRAM_TOLERANCE = 1e-6  # absolute (README)
IMAGE_TOLERANCE = 1e-5        # absolute (README)


@pytest.fixture(scope='module')
def preprocessing(parity_dir):
    folder = osp.join(parity_dir, 'vsl', 'preprocessing')
    with open(osp.join(folder, 'cases.json')) as file:
        cases = json.load(file)
    return folder, cases, np.load(osp.join(folder, 'expected.npz'))


@pytest.mark.parametrize('name', CASES)
def test_loader_gives_the_published_int16_samples(preprocessing, name):
    folder, cases, expected = preprocessing
    case = cases[name]
    samples, rate = LoadAudioPyAV(duration=3.0).samples(osp.join(folder, case['file']))
    assert rate == case['sample_rate']
    assert samples.dtype == np.int16
    np.testing.assert_array_equal(samples, expected[f'{name}_samples_int16'])
    # the case is what it says: stereo mixed, cropped at the middle or tiled
    assert samples.shape == (int(3 * rate),)


@pytest.mark.parametrize('name', CASES)
def test_worker_spectrogram_matches_published(preprocessing, name):
    folder, cases, expected = preprocessing
    results = LoadAudioPyAV()(dict(audio_path=osp.join(folder, cases[name]['file'])))
    assert results['sample_rate'] == cases[name]['sample_rate']
    assert results['waveform'].dtype == np.float64
    np.testing.assert_array_equal(results['waveform'],
                                  np.clip(expected[f'{name}_samples_int16'] / 32767, -1, 1))
    spectrogram = LogSpectrogram()(results)['spectrogram']
    reference = expected[f'{name}_spectrogram']
    assert spectrogram.shape == reference.shape == tuple(cases[name]['shape'])
    assert spectrogram.dtype == np.float32
    assert np.abs(spectrogram - reference).max() <= SPECTROGRAM_TOLERANCE


def test_published_test_view_of_a_frame(preprocessing):
    """PIL bicubic resize to 224 x 224, ToTensor, ImageNet Normalize: the
    pipeline's Resize and the data preprocessor."""
    folder, _, expected = preprocessing
    results = LoadFrame()(dict(frame_path=osp.join(folder, 'frame_320x180.png')))
    results = Resize(size=(224, 224))(results)
    results['spectrogram'] = np.zeros((1, 257, 200), np.float32)
    packed = PackAVInputs()(results)
    out = AVDataPreprocessor()(dict(inputs={k: [v] for k, v in packed['inputs'].items()},
                                    data_samples=[packed['data_samples']]))
    frame = out['inputs']['frames'][0, 0].numpy()
    assert np.abs(frame - expected['png_test_tensor']).max() <= IMAGE_TOLERANCE


def test_loader_errors_name_the_file(tmp_path):
    from sspl.datasets.validation import DataLoadError
    with pytest.raises(DataLoadError, match='does not exist'):
        LoadAudioPyAV()(dict(audio_path=str(tmp_path / 'missing.wav')))
    bad = tmp_path / 'bad.wav'
    bad.write_bytes(b'RIFF0000WAVEnot really')
    with pytest.raises(DataLoadError, match='bad.wav'):
        LoadAudioPyAV()(dict(audio_path=str(bad)))


@pytest.mark.parametrize('name', ['mono16k_5s', 'mono44k_4s'])
def test_prepare_of_a_waveform_array_cuts_the_published_clip(preprocessing, name):
    """What the inference API and the video demo give the loader: a decoded
    waveform array; prepare() cuts the clip the file loader cuts."""
    import soundfile
    folder, cases, expected = preprocessing
    samples, rate = soundfile.read(osp.join(folder, cases[name]['file']), dtype='int16')
    loader = LoadAudioPyAV(sample_rate=rate)
    clip = loader.prepare(samples / 32767)
    np.testing.assert_array_equal(clip, expected[f'{name}_samples_int16'] / 32767)
    results = loader(dict(waveform=clip))  # a prepared waveform is kept
    assert results['waveform'] is clip and results['sample_rate'] == rate
