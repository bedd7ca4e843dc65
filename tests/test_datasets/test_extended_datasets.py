"""The extended test sets (SLAVC's negatives), the VGG-SS id lists of the
other protocols and held-out splits: small files in the real formats, and the
real ``../shared/metadata`` files parsed."""
import csv
import json
import os.path as osp

import numpy as np
import pytest
from mmengine.dataset import Compose

from sspl.datasets import FlickrSoundNetDataset, VGGSoundDataset
from sspl.datasets.annotations import (read_id_list, read_negative_pairs, write_flickr_xml,
                                       write_id_list, write_json_records, write_negative_pairs)
from sspl.datasets.validation import AnnotationError
from sspl.testing import write_frame, write_wav

PACK = [dict(type='LoadFrame'), dict(type='Resize', size=(224, 224)), dict(type='PackAVInputs')]


def write_clips(root, ids, size=(64, 48)):
    for index, sample_id in enumerate(ids):
        write_frame(osp.join(root, 'frames', sample_id + '.jpg'), size, seed=index)
        write_wav(osp.join(root, 'audio', sample_id + '.wav'), seconds=0.2, seed=index)


def packed(dataset, index):
    results = dataset.get_data_info(index)
    results['waveform'] = np.zeros(48000, np.float32)
    return Compose(PACK)(results)['data_samples']


# ---------------------------------------------------------------------------
# the negatives csv
# ---------------------------------------------------------------------------
def test_negative_pairs_of_the_real_files(metadata_dir):
    """SLAVC's files: Extended VGG-SS has 4779 test frames with another test
    clip's audio and 379 clips outside the test list with their own; Extended
    Flickr pairs each of its 250 frames with another test clip's audio."""
    vggss = read_negative_pairs(osp.join(metadata_dir, 'extended_vggss_test_plus_silent.csv'))
    test_ids = set(read_id_list(osp.join(metadata_dir, 'vggss_test_5158.csv')))
    assert len(vggss) == 5158
    own = [(video, audio) for video, audio in vggss if video == audio]
    other = [(video, audio) for video, audio in vggss if video != audio]
    assert (len(own), len(other)) == (379, 4779)
    assert not any(video in test_ids for video, _ in own)
    assert all(video in test_ids and audio in test_ids for video, audio in other)
    flickr = read_negative_pairs(osp.join(metadata_dir, 'extended_flickr_test_plus_silent.csv'))
    flickr_ids = set(read_id_list(osp.join(metadata_dir, 'flickr_test249_in5k.csv')))
    assert len(flickr) == 250 and all(video != audio for video, audio in flickr)
    assert all(audio in flickr_ids for _, audio in flickr)
    # SLAVC's Flickr list has a 250th clip, absent from SSPL's 249 (its frame is a negative's).
    assert [video for video, _ in flickr if video not in flickr_ids] == ['3908875350']


def test_negative_pairs_round_trip_and_bad_rows(tmp_path):
    path = str(tmp_path / 'neg.csv')
    write_negative_pairs(path, [('a', 'b'), ('c', 'c')])
    with open(path) as f:
        assert next(csv.reader(f)) == ['video', 'audio', 'label']
    assert read_negative_pairs(path) == [('a', 'b'), ('c', 'c')]
    (tmp_path / 'noheader.csv').write_text('a,b,non-sounding\n')
    assert read_negative_pairs(str(tmp_path / 'noheader.csv')) == [('a', 'b')]
    (tmp_path / 'label.csv').write_text('video,audio,label\na,b,sounding\n')
    with pytest.raises(ValueError, match=r"label.csv:2: label 'sounding'"):
        read_negative_pairs(str(tmp_path / 'label.csv'))
    (tmp_path / 'cols.csv').write_text('video,audio,label\na,b\n')
    with pytest.raises(ValueError, match=r'cols.csv:2: expected 3 columns'):
        read_negative_pairs(str(tmp_path / 'cols.csv'))
    (tmp_path / 'empty.csv').write_text('video,audio,label\n')
    with pytest.raises(ValueError, match='lists no negative'):
        read_negative_pairs(str(tmp_path / 'empty.csv'))
    with pytest.raises(FileNotFoundError, match='negatives csv not found'):
        read_negative_pairs(str(tmp_path / 'absent.csv'))


# ---------------------------------------------------------------------------
# datasets with negatives
# ---------------------------------------------------------------------------
def test_extended_vggss_dataset(tmp_path):
    """Positives from the JSON and id list, negatives after them: the frame
    of ``video``, the audio of ``audio`` (another clip's or its own), no box,
    metainfo is_negative through the pipeline."""
    root = str(tmp_path)
    write_clips(root, ['a_000001', 'b_000002', 'c_000003', 'x_000009'])
    write_json_records(osp.join(root, 'vggss.json'), [
        {'file': f, 'class': 'dog', 'bbox': [[0.1, 0.2, 0.5, 0.6]]}
        for f in ('a_000001', 'b_000002', 'c_000003')])
    write_id_list(osp.join(root, 'test.csv'), ['a_000001', 'b_000002', 'c_000003'])
    write_negative_pairs(osp.join(root, 'neg.csv'),
                         [('a_000001', 'b_000002'), ('x_000009', 'x_000009')])
    dataset = VGGSoundDataset(data_root=root, ann_file='vggss.json', id_file='test.csv',
                              negatives_file='neg.csv', test_mode=True, pipeline=PACK)
    assert len(dataset) == 5
    ids = [dataset.get_data_info(i)['sample_id'] for i in range(5)]
    assert ids == ['a_000001', 'b_000002', 'c_000003', 'a_000001@b_000002',
                   'x_000009@x_000009']
    negative = dataset.get_data_info(3)
    assert negative['frame_path'] == osp.join(root, 'frames', 'a_000001.jpg')
    assert negative['audio_path'] == osp.join(root, 'audio', 'b_000002.wav')
    assert negative['is_negative'] and 'gt_bboxes' not in negative
    assert dataset.get_data_info(4)['audio_path'] == osp.join(root, 'audio', 'x_000009.wav')
    sample = packed(dataset, 3)
    assert sample.is_negative is True and sample.get('gt_map') is None
    positive = packed(dataset, 0)
    assert positive.gt_map is not None and positive.get('is_negative') is None
    # Without the negatives file: the positives only (the option is what adds them).
    assert len(VGGSoundDataset(data_root=root, ann_file='vggss.json', id_file='test.csv',
                               test_mode=True, pipeline=[])) == 3


def test_extended_flickr_dataset_and_missing_negatives(tmp_path):
    """Flickr XML positives; a negative whose frame or audio is absent is
    dropped and counted with the positives under skip_missing, and is a
    load-time error without it."""
    root = str(tmp_path)
    write_clips(root, ['101', '102', '103'])
    for sample_id in ('101', '102'):
        write_flickr_xml(osp.join(root, 'Annotations', f'{sample_id}.xml'), [[10, 20, 120, 200]])
    write_id_list(osp.join(root, 'test.csv'), ['101', '102'])
    write_negative_pairs(osp.join(root, 'neg.csv'), [('101', '102'), ('103', '101'),
                                                     ('104', '101')])
    common = dict(data_root=root, ann_file='test.csv', data_prefix=dict(annotation='Annotations'),
                  negatives_file='neg.csv', test_mode=True, pipeline=PACK)
    dataset = FlickrSoundNetDataset(skip_missing=True, **common)
    assert [dataset.get_data_info(i)['sample_id'] for i in range(len(dataset))] == [
        '101', '102', '101@102', '103@101']
    assert packed(dataset, 2).is_negative and packed(dataset, 0).gt_map.sum() > 0
    strict = FlickrSoundNetDataset(**common)
    assert len(strict) == 5
    from sspl.datasets.validation import DataLoadError
    with pytest.raises(DataLoadError, match='104.jpg'):
        strict[4]


def test_negative_with_boxes_is_an_annotation_error():
    from sspl.datasets.validation import raise_on_errors, validate_data_list
    data_list = [dict(sample_id='a', gt_bboxes=np.array([[0., 0., 4., 4.]])),
                 dict(sample_id='a@b', is_negative=True)]
    raise_on_errors(validate_data_list(data_list, 'src'), 'x')  # negatives need no box
    data_list[1]['gt_bboxes'] = np.array([[0., 0., 4., 4.]])
    with pytest.raises(AnnotationError, match='a negative .is_negative. has boxes'):
        raise_on_errors(validate_data_list(data_list, 'src'), 'x')
    # An unannotated sample that is not a negative is still an error.
    with pytest.raises(AnnotationError, match='no boxes: the split is annotated'):
        raise_on_errors(validate_data_list(data_list[:1] + [dict(sample_id='c')], 'src'), 'x')


# ---------------------------------------------------------------------------
# the VGG-SS lists of the other protocols, held-out splits
# ---------------------------------------------------------------------------
def test_real_vggss_lists(metadata_dir):
    """Every id of EZ-VSL's 5158 list and of the heard / unheard lists has a
    box; heard and unheard are disjoint; the 5158 records minus SSPL's 4692
    leave 466 annotated clips to hold out."""
    annotations = json.load(open(osp.join(metadata_dir, 'vggss_test_5158.json')))
    annotated = {record['file'] for record in annotations}
    lists = {name: read_id_list(osp.join(metadata_dir, name)) for name in (
        'vggss_test_5158.csv', 'vggss_test_4692.csv', 'vggss_heard_test.csv',
        'vggss_unheard_test.csv')}
    assert {name: len(ids) for name, ids in lists.items()} == {
        'vggss_test_5158.csv': 5158, 'vggss_test_4692.csv': 4692,
        'vggss_heard_test.csv': 2564, 'vggss_unheard_test.csv': 2575}
    assert all(set(ids) <= annotated for ids in lists.values())
    assert not set(lists['vggss_heard_test.csv']) & set(lists['vggss_unheard_test.csv'])
    train = read_id_list(osp.join(metadata_dir, 'vggss_heard_train.txt'))
    # 59468 ids (the metadata README's 59,467 is `wc -l`: the file has no final newline)
    assert len(train) == 59468 and not set(train) & annotated
    dataset = VGGSoundDataset(ann_file=osp.join(metadata_dir, 'vggss_test_5158.json'),
                              exclude_id_file=osp.join(metadata_dir, 'vggss_test_4692.csv'),
                              lazy_init=True, pipeline=[])
    held_out = dataset._without_excluded(dataset.load_records())
    assert len(held_out) == 466
    assert not {r['sample_id'] for r in held_out} & set(lists['vggss_test_4692.csv'])


def test_exclude_id_file_holds_out_the_rest(tmp_path):
    root = str(tmp_path)
    ids = ['a_000001', 'b_000002', 'c_000003']
    write_clips(root, ids)
    write_json_records(osp.join(root, 'vggss.json'), [
        {'file': f, 'class': 'dog', 'bbox': [[0.1, 0.2, 0.5, 0.6]]} for f in ids])
    write_id_list(osp.join(root, 'test.csv'), ids[:2])
    dataset = VGGSoundDataset(data_root=root, ann_file='vggss.json', exclude_id_file='test.csv',
                              test_mode=True, pipeline=[])
    assert [dataset.get_data_info(i)['sample_id'] for i in range(len(dataset))] == ['c_000003']
    with pytest.raises(ValueError, match='no samples'):  # everything excluded
        VGGSoundDataset(data_root=root, ann_file='test.csv', exclude_id_file='test.csv',
                        pipeline=[])
