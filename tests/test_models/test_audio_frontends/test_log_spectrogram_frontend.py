"""LogSpectrogramFrontend: the published log spectrogram computed batched on
the model's device (the data preprocessor), against the published
pre-processing cases (``../shared/parity/vsl/preprocessing``, 1e-6 absolute,
the README's bound) and the worker transform."""
import json
import os.path as osp

import numpy as np
import pytest
import torch

from sspl.datasets.transforms import LoadAudioPyAV, LogSpectrogram, PackAVInputs
from sspl.models.audio_frontends import LogSpectrogramFrontend
from sspl.models.data_preprocessors import AVDataPreprocessor

CASES = ('mono16k_5s', 'stereo22k_2p2s', 'mono44k_4s')
SPECTROGRAM_TOLERANCE = 1e-6  # absolute (README)


@pytest.fixture(scope='module')
def preprocessing(parity_dir):
    folder = osp.join(parity_dir, 'vsl', 'preprocessing')
    with open(osp.join(folder, 'cases.json')) as file:
        cases = json.load(file)
    return folder, cases, np.load(osp.join(folder, 'expected.npz'))


@pytest.mark.parametrize('dtype', ['float64', 'float32'])
@pytest.mark.parametrize('name', CASES)
def test_device_frontend_matches_published(preprocessing, name, dtype):
    """The batched front end on the packed (float32) waveform: float64
    computation within one float32 rounding (measured 1.2e-7), float32
    within 9.5e-7 (measured, AVX-512 CPU) of the published spectrogram."""
    folder, cases, expected = preprocessing
    results = LoadAudioPyAV()(dict(audio_path=osp.join(folder, cases[name]['file'])))
    waveform = torch.from_numpy(results['waveform']).float()
    frontend = LogSpectrogramFrontend(sample_rate=results['sample_rate'], dtype=dtype)
    batch = frontend(torch.stack([waveform, waveform]))
    reference = expected[f'{name}_spectrogram']
    assert batch.shape == (2, *reference.shape) and batch.dtype == torch.float32
    assert (batch[0] - batch[1]).abs().max() == 0
    assert np.abs(batch[0].numpy() - reference).max() <= SPECTROGRAM_TOLERANCE


def test_frontend_runs_in_the_data_preprocessor(preprocessing):
    """A pipeline that packs the waveform gets the spectrogram computed on the
    device, equal to the worker's."""
    folder, cases, expected = preprocessing
    results = LoadAudioPyAV()(dict(audio_path=osp.join(folder, cases['mono16k_5s']['file']),
                                   img=np.zeros((224, 224, 3), np.uint8)))
    packed = PackAVInputs()(dict(results))
    assert set(packed['inputs']) == {'frames', 'waveform'}
    preprocessor = AVDataPreprocessor(
        audio_frontend=dict(type='LogSpectrogramFrontend', sample_rate=16000))
    out = preprocessor(dict(inputs={k: [v] for k, v in packed['inputs'].items()},
                            data_samples=[packed['data_samples']]))
    assert 'waveform' not in out['inputs']
    worker = LogSpectrogram()(dict(results))['spectrogram']
    assert np.abs(out['inputs']['spectrogram'][0].numpy() - worker).max() <= 2e-7
