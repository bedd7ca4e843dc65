"""The benchmark datasets on created samples: ground-truth maps equal to the
published ones (``sspl.evaluation.functional``), boxes that stay on their
objects through every geometric transform, and the dataset options."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.dataset import Compose
from PIL import Image

from sspl.datasets import ChaoticWorldDataset, FlickrSoundNetDataset, VGGSoundDataset
from sspl.datasets.annotations import (load_vggss_annotations, scale_boxes, write_flickr_xml,
                                       write_id_list, write_json_records)
from sspl.datasets.transforms import LoadCachedLogMel, LoadAudio, Resize, VGGishLogMel
from sspl.evaluation.functional import (boxes_to_gt_map, chaotic_world_gt_map, flickr_gt_map,
                                        vggss_gt_map)
from sspl.testing import write_frame, write_wav

FLICKR_TEST_VIEW = [dict(type='LoadFrame'), dict(type='ResizeShortEdge', size=224),
                    dict(type='CenterCrop', size=224), dict(type='PackAVInputs')]
SQUASH_TEST_VIEW = [dict(type='LoadFrame'), dict(type='Resize', size=(224, 224)),
                    dict(type='PackAVInputs')]
TRAIN_VIEWS = [dict(type='LoadFrame'), dict(type='Resize', size=(256, 256)),
               dict(type='MultiView', num_views=2, transforms=[
                   dict(type='ResizeShortEdge', size=246), dict(type='RandomCrop', size=224),
                   dict(type='RandomFlip', prob=0.5)])]


def gt_map_of(dataset, index: int, pipeline) -> np.ndarray:
    """The ``gt_map`` a pipeline makes for one sample (no audio needed)."""
    results = dataset.get_data_info(index)
    results['waveform'] = np.zeros(48000, np.float32)
    return Compose(pipeline)(results)['data_samples'].gt_map.numpy()


def write_samples(root, ids, size, frame_suffix='.jpg', boxes=None, box_frame=(1, 1)):
    """Frames of ``size`` (with the boxes, scaled from ``box_frame``, painted
    white on black when given) and 0.2 s wavs; returns nothing."""
    for index, sample_id in enumerate(ids):
        path = osp.join(root, 'frames', sample_id + frame_suffix)
        if boxes is None:
            write_frame(path, size, seed=index)
        else:
            paint_boxes(path, size, scale_boxes(boxes[index], box_frame, size))
        write_wav(osp.join(root, 'audio', sample_id + '.wav'), seconds=0.2)


def paint_boxes(path, size, boxes):
    os.makedirs(osp.dirname(path), exist_ok=True)
    image = np.zeros((size[1], size[0], 3), np.uint8)
    for x0, y0, x1, y1 in np.asarray(boxes).reshape(-1, 4):
        image[int(round(max(y0, 0))):int(round(y1)), int(round(max(x0, 0))):int(round(x1))] = 255
    Image.fromarray(image).save(path)


def assert_boxes_on_objects(image: np.ndarray, boxes: np.ndarray):
    """Bright pixels (the painted objects) and the rasterised boxes agree."""
    bright = image.mean(axis=2) > 127
    gt = boxes_to_gt_map(boxes, image.shape[:2], 'union') > 0
    assert gt.sum() > 0
    agreement = (bright & gt).sum() / max((bright | gt).sum(), 1)
    assert agreement > 0.93, f'box / object IoU {agreement:.3f}'


# ---------------------------------------------------------------------------
# SoundNet-Flickr
# ---------------------------------------------------------------------------
def test_flickr_gt_maps_equal_published_on_parity_xmls(tmp_path, parity_dir):
    """The 48 XMLs of the evaluation parity set on 256 x 256 frames: the
    pipeline's gt_map is the published consensus map."""
    with open(osp.join(parity_dir, 'metric_cases', 'expected.json')) as f:
        ids = [str(i) for i in json.load(f)['flickr']['ids']]
    xml_dir = osp.join(parity_dir, 'metric_cases', 'flickr', 'Annotations')
    write_samples(str(tmp_path), ids, (256, 256), '.png')
    write_id_list(str(tmp_path / 'test.csv'), ids)
    dataset = FlickrSoundNetDataset(data_root=str(tmp_path), ann_file='test.csv',
                                    frame_suffix='.png', data_prefix=dict(annotation=xml_dir),
                                    test_mode=True, pipeline=[])
    assert len(dataset) == 48
    assert dataset.get_data_info(0)['gt_map_mode'] == 'consensus'
    for index, sample_id in enumerate(ids):
        np.testing.assert_array_equal(gt_map_of(dataset, index, FLICKR_TEST_VIEW),
                                      flickr_gt_map(osp.join(xml_dir, f'{sample_id}.xml')))


@pytest.mark.parametrize('size', [(400, 300), (300, 500)])
def test_flickr_boxes_follow_frames_of_other_sizes(tmp_path, size):
    """A frame that is not 256 x 256: the 256-coordinate boxes are scaled to
    it and stay on the objects through the test and train views."""
    boxes = [[[20, 30, 120, 200], [60, 40, 250, 140]]]
    write_flickr_xml(str(tmp_path / 'Annotations' / '7.xml'), boxes[0])
    write_samples(str(tmp_path), ['7'], size, boxes=boxes, box_frame=(256, 256))
    write_id_list(str(tmp_path / 'test.csv'), ['7'])
    dataset = FlickrSoundNetDataset(data_root=str(tmp_path), ann_file='test.csv',
                                    data_prefix=dict(annotation='Annotations'), test_mode=True,
                                    pipeline=[])
    np.testing.assert_allclose(dataset.get_data_info(0)['gt_bboxes'][0],
                               [20 * size[0] / 256, 30 * size[1] / 256,
                                120 * size[0] / 256, 200 * size[1] / 256])
    info = dataset.get_data_info(0)
    test_view = Compose(FLICKR_TEST_VIEW[:-1])(dict(info))
    assert test_view['img'].shape == (224, 224, 3)
    assert_boxes_on_objects(test_view['img'], test_view['gt_bboxes'])
    for seed in range(3):  # three draws of the random crops and flips
        views = Compose(TRAIN_VIEWS)(dict(info, sample_key=(seed, 0, 0)))
        for image, view_boxes in zip(views['img'], views['gt_bboxes']):
            assert image.shape == (224, 224, 3)
            assert_boxes_on_objects(image, view_boxes)


# ---------------------------------------------------------------------------
# VGG-SS
# ---------------------------------------------------------------------------
def test_vggss_all_real_boxes_give_published_maps(metadata_dir):
    """Every box of SSPL's 4692 test ids, placed on a 640 x 360 frame as the
    dataset does and squashed by the test view's Resize, truncates to the
    published int(224 * max(v, 0)) coordinates (the records with corrupt
    -2.88e16 coordinates included); full maps compared on a subset."""
    annotations = load_vggss_annotations(osp.join(metadata_dir, 'vggss_test_5158.json'))
    with open(osp.join(metadata_dir, 'vggss_test_4692.csv')) as f:
        ids = [line.strip() for line in f if line.strip()]
    boxes = np.concatenate([annotations[sample_id]['boxes'] for sample_id in ids])
    frame = np.zeros((360, 640, 3), np.uint8)
    # One Resize call carries all boxes (the transform takes (N, 4)).
    carried = Resize((224, 224))(dict(img=frame, gt_bboxes=scale_boxes(boxes, (1, 1), (640, 360))))
    ours = np.maximum(carried['gt_bboxes'], 0).astype(np.int64)   # boxes_to_gt_map's int()
    published = np.array([[int(224 * max(v, 0)) for v in box] for box in boxes])
    assert len(boxes) > 4692
    np.testing.assert_array_equal(ours, published)
    subset = [sample_id for sample_id in ids if (np.abs(annotations[sample_id]['boxes']) > 10).any()]
    subset += ids[::100]
    assert len(subset) > 50
    resize = Resize((224, 224))
    for sample_id in subset:
        sample_boxes = annotations[sample_id]['boxes']
        results = resize(dict(img=frame, gt_bboxes=scale_boxes(sample_boxes, (1, 1), (640, 360))))
        np.testing.assert_array_equal(boxes_to_gt_map(results['gt_bboxes'], (224, 224), 'union'),
                                      vggss_gt_map(sample_boxes.tolist()), err_msg=sample_id)


@pytest.mark.parametrize('size', [(320, 180), (256, 256), (480, 360)])
def test_vggss_dataset_gt_maps_equal_published(tmp_path, metadata_dir, size):
    """The dataset on frames of several sizes, for 30 real records (among them
    two with corrupt coordinates), through the VGG-SS test view."""
    annotations = load_vggss_annotations(osp.join(metadata_dir, 'vggss_test_5158.json'))
    ids = list(annotations)[:28] + ['Db6Hjt0x28k_000056', '7Soo7mXCnq0_000063']
    write_samples(str(tmp_path), ids, size)
    write_id_list(str(tmp_path / 'ids.csv'), ids)
    dataset = VGGSoundDataset(data_root=str(tmp_path),
                              ann_file=osp.join(metadata_dir, 'vggss_test_5158.json'),
                              id_file='ids.csv', test_mode=True, pipeline=[])
    assert [dataset.get_data_info(i)['sample_id'] for i in range(len(dataset))] == ids
    for index, sample_id in enumerate(ids):
        np.testing.assert_array_equal(gt_map_of(dataset, index, SQUASH_TEST_VIEW),
                                      vggss_gt_map(annotations[sample_id]['boxes'].tolist()))


def test_vggss_training_list_and_options(tmp_path):
    write_samples(str(tmp_path), ['a_000001', 'b_000002', 'c_000003'], (64, 48))
    write_id_list(str(tmp_path / 'train.csv'), ['a_000001', 'b_000002', 'c_000003', 'gone'])
    dataset = VGGSoundDataset(data_root=str(tmp_path), ann_file='train.csv', skip_missing=True,
                              pipeline=[])
    assert len(dataset) == 3  # 'gone' has no files: skipped and counted
    info = dataset.get_data_info(0)
    assert info['frame_path'] == osp.join(str(tmp_path), 'frames', 'a_000001.jpg')
    assert info['audio_path'] == osp.join(str(tmp_path), 'audio', 'a_000001.wav')
    assert 'gt_bboxes' not in info
    # Without skip_missing, the list is taken as it is (a missing file raises at load).
    assert len(VGGSoundDataset(data_root=str(tmp_path), ann_file='train.csv', pipeline=[])) == 4
    with pytest.raises(ValueError, match='id_file is for a JSON ann_file'):
        VGGSoundDataset(data_root=str(tmp_path), ann_file='train.csv', id_file='x.csv',
                        pipeline=[])
    write_json_records(str(tmp_path / 'ann.json'),
                       [{'file': 'a_000001', 'class': 'x', 'bbox': [[0.1, 0.1, 0.5, 0.5]]}])
    with pytest.raises(ValueError, match=r'train.csv: 3 listed ids have no annotation'):
        VGGSoundDataset(data_root=str(tmp_path), ann_file='ann.json', id_file='train.csv',
                        pipeline=[])


def test_skip_missing_logs_a_count(tmp_path):
    import logging
    from mmengine.logging import MMLogger
    write_samples(str(tmp_path), ['a'], (64, 48))
    write_id_list(str(tmp_path / 'ids.csv'), ['a', 'b', 'c'])
    records = []
    handler = logging.Handler(level=logging.WARNING)
    handler.emit = records.append
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        dataset = VGGSoundDataset(data_root=str(tmp_path), ann_file='ids.csv',
                                  skip_missing=True, pipeline=[])
    finally:
        logger.removeHandler(handler)
    assert len(dataset) == 1
    assert any('2 of 3 listed samples have no frame or audio file' in record.getMessage()
               for record in records)
    write_id_list(str(tmp_path / 'none.csv'), ['x', 'y'])
    with pytest.raises(ValueError, match='2 listed, all missing'):
        VGGSoundDataset(data_root=str(tmp_path), ann_file='none.csv', skip_missing=True,
                        pipeline=[])


# ---------------------------------------------------------------------------
# Chaotic World
# ---------------------------------------------------------------------------
@pytest.mark.parametrize('size', [(320, 180), (160, 90)])
def test_chaotic_world_gt_maps_equal_published(tmp_path, parity_dir, size):
    """The 48 records of the evaluation parity set (float pixel boxes in
    320 x 180) through the squashing test view."""
    ann_file = osp.join(parity_dir, 'metric_cases', 'chaoticworld_synthetic.json')
    with open(ann_file) as f:
        records = json.load(f)
    ids = [record['file'] for record in records]
    write_samples(str(tmp_path), ids, size, '.png')
    dataset = ChaoticWorldDataset(data_root=str(tmp_path), ann_file=ann_file, test_mode=True,
                                  pipeline=[])
    assert len(dataset) == 48
    for index, record in enumerate(records):
        np.testing.assert_array_equal(gt_map_of(dataset, index, SQUASH_TEST_VIEW),
                                      chaotic_world_gt_map(record['bbox']))


def test_chaotic_world_boxes_follow_the_frame_in_train_views(tmp_path):
    """Non-square 320 x 180 frames: the published code could only place boxes
    because it squashed first; here every view carries them."""
    boxes = [[[40.0, 20.0, 150.0, 160.0]]]
    write_samples(str(tmp_path), ['V_000001'], (320, 180), '.png', boxes=boxes,
                  box_frame=(320, 180))
    write_json_records(str(tmp_path / 'test.json'),
                       [{'file': 'V_000001', 'class': 'x', 'bbox': boxes[0][0]}])
    dataset = ChaoticWorldDataset(data_root=str(tmp_path), ann_file='test.json', pipeline=[])
    for seed in range(4):  # four draws of the random crops and flips
        views = Compose(TRAIN_VIEWS)(dict(dataset.get_data_info(0), sample_key=(seed, 0, 0)))
        for image, view_boxes in zip(views['img'], views['gt_bboxes']):
            assert_boxes_on_objects(image, view_boxes)
    # Also the shorter-side test view (not the published one, but boxes still follow).
    view = Compose(FLICKR_TEST_VIEW[:-1])(dataset.get_data_info(0))
    assert_boxes_on_objects(view['img'], view['gt_bboxes'])


def test_annotated_sample_without_frame_is_a_clear_error(tmp_path):
    write_json_records(str(tmp_path / 'test.json'),
                       [{'file': 'V_000001', 'class': 'x', 'bbox': [1, 2, 3, 4]}])
    with pytest.raises(FileNotFoundError, match='V_000001.png: frame not found'):
        ChaoticWorldDataset(data_root=str(tmp_path), ann_file='test.json', pipeline=[])


# ---------------------------------------------------------------------------
# Log-mel cache
# ---------------------------------------------------------------------------
def test_cached_log_mel_transform(tmp_path):
    audio = write_wav(str(tmp_path / 'audio' / 'a.wav'), seconds=3.5, rate=22050, channels=2)
    computed = VGGishLogMel()(LoadAudio()(dict(audio_path=audio)))['log_mel']
    cache = str(tmp_path / 'log_mel' / 'a.npy')
    os.makedirs(osp.dirname(cache))
    np.save(cache, computed[:, 0] + 1.0)  # a recognisably different cached value
    transform = LoadCachedLogMel()
    cached = transform(dict(audio_path=audio, log_mel_path=cache))['log_mel']
    assert cached.shape == (3, 1, 96, 64) and cached.dtype == np.float32
    np.testing.assert_array_equal(cached, computed + 1.0)
    absent = str(tmp_path / 'log_mel' / 'b.npy')
    np.testing.assert_array_equal(transform(dict(audio_path=audio, log_mel_path=absent))['log_mel'],
                                  computed)
    with pytest.raises(FileNotFoundError, match='b.npy: log-mel cache file not found'):
        LoadCachedLogMel(on_missing='error')(dict(audio_path=audio, log_mel_path=absent))
    np.save(cache, np.zeros((3, 96, 10), np.float32))
    with pytest.raises(ValueError, match=r'a.npy: log-mel cache holds shape \(3, 96, 10\)'):
        transform(dict(audio_path=audio, log_mel_path=cache))
    # The datasets add log_mel_path when data_prefix has log_mel.
    write_frame(str(tmp_path / 'frames' / 'a.jpg'), (32, 32))
    write_id_list(str(tmp_path / 'ids.csv'), ['a'])
    dataset = VGGSoundDataset(data_root=str(tmp_path), ann_file='ids.csv',
                              data_prefix=dict(log_mel='log_mel'), pipeline=[])
    assert dataset.get_data_info(0)['log_mel_path'] == osp.join(str(tmp_path), 'log_mel', 'a.npy')
