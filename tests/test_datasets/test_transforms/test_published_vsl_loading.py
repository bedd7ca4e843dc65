"""PublishedVSLLoading, the benchmark's baseline of the EZ-VSL / SLAVC / FNAC
data loading, computes what the published loader computes: the parity
pre-processing cases (``../shared/parity/vsl/preprocessing``: test view of a
frame within 1e-5, spectrograms within 1e-6, the README's bounds), and the
same training samples as the toolbox's pipelines given the same draws."""
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.dataset import Compose

from sspl.datasets.transforms import PublishedVSLLoading
from sspl.models.data_preprocessors import AVDataPreprocessor
from sspl.utils import register_all_modules

CASES = ('mono16k_5s', 'stereo22k_2p2s', 'mono44k_4s')


@pytest.fixture(scope='module')
def preprocessing(parity_dir):
    folder = osp.join(parity_dir, 'vsl', 'preprocessing')
    with open(osp.join(folder, 'cases.json')) as file:
        cases = json.load(file)
    return folder, cases, np.load(osp.join(folder, 'expected.npz'))


@pytest.mark.parametrize('name', CASES)
def test_test_view_is_the_published_one(preprocessing, name):
    folder, cases, expected = preprocessing
    out = PublishedVSLLoading(train=False)(dict(
        frame_path=osp.join(folder, 'frame_320x180.png'),
        audio_path=osp.join(folder, cases[name]['file']), sample_id=name))
    frames, spectrogram = out['inputs']['frames'], out['inputs']['spectrogram']
    assert frames.dtype == torch.float32 and frames.shape == (3, 224, 224)
    assert np.abs(frames.numpy() - expected['png_test_tensor']).max() <= 1e-5
    # float64 in the worker, as published; the model's spec.float() gives the stored array
    assert spectrogram.dtype == torch.float64
    assert spectrogram.shape == tuple(cases[name]['shape'])
    assert np.abs(spectrogram.float().numpy() - expected[f'{name}_spectrogram']).max() <= 1e-6
    assert out['data_samples'].sample_id == name


@pytest.mark.parametrize('masks', [False, True])
def test_training_sample_equals_the_toolbox_pipeline(preprocessing, masks):
    """Same sample key, same draws: the published training transforms (crop,
    flip, FNAC's masks) give the toolbox pipeline's sample (frames after the
    data preprocessor's normalisation)."""
    register_all_modules()
    folder, cases, _ = preprocessing
    ours = Compose([dict(type='LoadFrame'),
                    dict(type='LoadAudioPyAV', duration=3.0, sample_rate=16000),
                    dict(type='LogSpectrogram')]
                   + ([dict(type='FrequencyMask', max_width=10),
                       dict(type='TimeMask', max_width=10)] if masks else [])
                   + [dict(type='ResizeShortEdge', size=246), dict(type='RandomCrop', size=224),
                      dict(type='RandomFlip', prob=0.5), dict(type='PackAVInputs')])
    published = PublishedVSLLoading(train=True, spectrogram_masks=masks, sample_rate=16000)
    flips = masked = 0
    for index in range(6):
        sample = dict(frame_path=osp.join(folder, 'frame_320x180.png'),
                      audio_path=osp.join(folder, cases['mono16k_5s']['file']),
                      sample_key=(1, 0, index))
        reference = ours(dict(sample))
        out = published(dict(sample))
        frames = AVDataPreprocessor()(dict(inputs=dict(frames=[reference['inputs']['frames']]),
                                           data_samples=None))['inputs']['frames'][0, 0]
        assert (out['inputs']['frames'] - frames).abs().max() <= 1e-5
        spectrogram = out['inputs']['spectrogram'].float()
        assert (spectrogram - reference['inputs']['spectrogram']).abs().max() <= 1e-6
        unflipped = published.__class__(train=True, flip=False, spectrogram_masks=masks,
                                        sample_rate=16000)(dict(sample))
        flips += not torch.equal(unflipped['inputs']['frames'], out['inputs']['frames'])
        masked += int((spectrogram == 0).any())
    assert 0 < flips < 6  # the draws did vary (else this compares one case)
    assert (masked > 0) == masks
