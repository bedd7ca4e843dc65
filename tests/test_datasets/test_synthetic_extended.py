"""The synthetic set's extended split: the split's own clips (unchanged) and
negatives with no box: silent clips and clips whose sounding class is absent
from the frame."""
import hashlib
import json
import os
import os.path as osp

import numpy as np
import pytest
import soundfile
from mmengine.dataset import Compose

from sspl.datasets import SyntheticAVDataset
from sspl.datasets.synthetic import CLASSES, make_negative_clip, object_class_map

TEST_VIEW = [dict(type='LoadFrame'), dict(type='LoadAudio', sample_rate=16000, duration=3.0),
             dict(type='PackAVInputs')]


def digests(root):
    return {name: hashlib.sha1(open(osp.join(folder, name), 'rb').read()).hexdigest()
            for folder, _, names in os.walk(root) for name in names}


def test_extended_split_adds_negatives_to_the_unchanged_test_clips(tmp_path):
    plain_root, root = str(tmp_path / 'plain'), str(tmp_path / 'ext')
    plain = SyntheticAVDataset(data_root=plain_root, split='test', num_samples=6,
                               test_mode=True, pipeline=TEST_VIEW)
    extended = SyntheticAVDataset(data_root=root, split='test_extended', num_samples=6,
                                  num_negatives=5, test_mode=True, pipeline=TEST_VIEW)
    assert len(extended) == 11
    # The positives are the test split's clips, file for file.
    for index in range(6):
        a, b = plain.get_data_info(index), extended.get_data_info(index)
        assert a['sample_id'] == b['sample_id']
        np.testing.assert_array_equal(a['gt_bboxes'], b['gt_bboxes'])
    shared = {k: v for k, v in digests(root).items() if k.startswith('test_0') or
              k in ('test.json', 'test_views.json', 'test_meta.json')}
    assert shared == digests(plain_root)
    ids = [extended.get_data_info(i)['sample_id'] for i in range(6, 11)]
    assert ids == ['test_silent_00000', 'test_silent_00001', 'test_silent_00002',
                   'test_absent_00000', 'test_absent_00001']
    for index in range(6, 11):
        sample = extended[index]['data_samples']
        assert sample.is_negative is True and sample.get('gt_map') is None
    silent = soundfile.read(extended.get_data_info(6)['audio_path'])[0]
    assert silent.shape == (48000,) and not silent.any()
    with open(osp.join(root, 'annotations', 'test_negatives.json')) as f:
        records = {record['file']: record for record in json.load(f)}
    for index in range(2):
        clip = make_negative_clip(0, 'test', 'absent', index)
        audio_class = records[f'test_absent_{index:05d}']['audio_class']
        assert clip['audio_class'] == audio_class
        names = {CLASSES[c][0] for c, *_ in clip['objects']}
        assert audio_class not in names and len(names) >= 2  # sounding class absent
        # and the tone is the class's: same generator as a positive's audio
        stored = soundfile.read(extended.get_data_info(9 + index)['audio_path'])[0]
        assert np.abs(stored).max() > 0.5


def test_negatives_are_deterministic_and_regenerate_on_other_settings(tmp_path):
    first = SyntheticAVDataset(data_root=str(tmp_path / 'a'), split='test_extended',
                               num_samples=2, num_negatives=4, pipeline=[])
    SyntheticAVDataset(data_root=str(tmp_path / 'b'), split='test_extended', num_samples=2,
                       num_negatives=4, pipeline=[])
    assert digests(str(tmp_path / 'a')) == digests(str(tmp_path / 'b'))
    frame = first.get_data_info(3)['frame_path']
    stamp = os.stat(frame).st_mtime_ns
    SyntheticAVDataset(data_root=str(tmp_path / 'a'), split='test_extended', num_samples=2,
                       num_negatives=4, pipeline=[])
    assert os.stat(frame).st_mtime_ns == stamp  # current: left as it is
    other = SyntheticAVDataset(data_root=str(tmp_path / 'a'), split='test_extended',
                               num_samples=2, num_negatives=4, seed=1, pipeline=[])
    assert digests(str(tmp_path / 'a')) != digests(str(tmp_path / 'b'))
    assert len(other) == 6
    # default: as many negatives as positives
    assert len(SyntheticAVDataset(data_root=str(tmp_path / 'c'), split='test_extended',
                                  num_samples=3, pipeline=[])) == 6
    with pytest.raises(ValueError, match='num_negatives is for an extended split'):
        SyntheticAVDataset(data_root=str(tmp_path / 'c'), split='test', num_negatives=2,
                           pipeline=[])
    clip = make_negative_clip(0, 'test', 'silent', 0)
    labels = object_class_map(clip['objects'], 112, 14)
    assert (labels < len(CLASSES)).any()  # the silent clip's frame shows objects
