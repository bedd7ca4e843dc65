"""BaseAVDataset on bad input: in training a sample whose frame, audio or
cache file cannot be loaded is replaced and reported (a counted skip), in
evaluation it is an error naming the file; any other error names the sample."""
import numpy as np
import pytest

from sspl.datasets.base_av_dataset import SKIPPED_KEY
from sspl.datasets.validation import DataLoadError
from sspl.testing import FRAME_AUDIO_PIPELINE as PIPELINE, ListDataset


def test_training_skips_bad_samples_and_reports_them(clips):
    dataset = ListDataset(clips, pipeline=PIPELINE)
    for index in (1, 3):
        data = dataset[index]
        skipped = data['data_samples'].metainfo[SKIPPED_KEY]
        assert skipped[0][0] == f'clip{index}'
        assert ('f1.png: frame file does not exist' if index == 1 else
                'a3.wav: cannot decode the audio') in skipped[0][1]
        assert data['data_samples'].metainfo['sample_id'] not in ('clip1', 'clip3')
    assert SKIPPED_KEY not in dataset[0]['data_samples'].metainfo


def test_evaluation_never_skips(clips):
    dataset = ListDataset(clips, pipeline=PIPELINE, test_mode=True)
    dataset[0]
    with pytest.raises(DataLoadError, match=r'f1\.png: frame file does not exist'):
        dataset[1]
    with pytest.raises(DataLoadError, match=r'a3\.wav: cannot decode the audio'):
        dataset[3]


def test_training_skips_a_bad_cache_file_too(clips, tmp_path):
    """The cache transforms raise DataLoadError subclasses: a corrupt log-mel
    cache file is skipped in training like a corrupt wav, named in evaluation
    (and is still a ValueError for callers that catch that)."""
    for index, item in enumerate(clips):
        item['log_mel_path'] = str(tmp_path / f'm{index}.npy')
        np.save(item['log_mel_path'], np.zeros((3, 96, 64), dtype=np.float32))
    (tmp_path / 'm2.npy').write_bytes(b'not a numpy file')
    pipeline = [dict(type='LoadFrame'), dict(type='LoadCachedLogMel'), dict(type='PackAVInputs')]
    data = ListDataset(clips, pipeline=pipeline)[2]
    skipped = data['data_samples'].metainfo[SKIPPED_KEY]
    assert skipped[0][0] == 'clip2'
    assert 'm2.npy: cannot read the log-mel cache file' in skipped[0][1]
    with pytest.raises(DataLoadError, match=r'm2\.npy: cannot read the log-mel cache file') as info:
        ListDataset(clips, pipeline=pipeline, test_mode=True)[2]
    assert isinstance(info.value, ValueError)


def test_unexpected_errors_name_the_sample(clips):
    dataset = ListDataset(clips, pipeline=[dict(type='LoadFrame'), dict(type='PackAVInputs')])
    with pytest.raises(KeyError) as info:  # PackAVInputs without audio: a programming error
        dataset[0]
    assert 'while loading sample clip0 (index 0)' in ''.join(getattr(info.value, '__notes__', []))
