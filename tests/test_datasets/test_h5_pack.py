"""Legacy h5 packs in the published layout (written here with h5py)."""
import multiprocessing
import os
import os.path as osp

import numpy as np
import pytest

from sspl.datasets import H5PackDataset
from sspl.datasets import h5_pack
from sspl.datasets.annotations import write_flickr_xml, write_id_list, write_json_records
from sspl.evaluation.functional import chaotic_world_gt_map, flickr_gt_map, vggss_gt_map

import h5py  # noqa: E402  (requirements/tests.txt installs it)

TEST_VIEW = [dict(type='LoadFrame'), dict(type='LoadAudio'), dict(type='ResizeShortEdge', size=224),
             dict(type='CenterCrop', size=224), dict(type='PackAVInputs')]


def random_box(rng, width, height, margin=0.0):
    """``[x0, y0, x1, y1]`` with x0 <= x1, y0 <= y1, coordinates up to
    ``margin`` (a fraction of the side) outside the frame."""
    xs = np.sort(rng.uniform(-margin, 1 + margin, 2)) * width
    ys = np.sort(rng.uniform(-margin, 1 + margin, 2)) * height
    return [float(xs[0]), float(ys[0]), float(xs[1]), float(ys[1])]


def write_pack(folder, split, sizes, suffix='', frame_size=256, kinds=('frames', 'audios', 'spects'),
               start=0):
    """Published layout: h5py_<split>_<kind><suffix>[_<n>].h5 with dataset
    <split>_<kind>; sample i has frame value i (mod 256), audio value i / 1000
    and log-mel value -i. ``sizes``: one int (one file) or a list (shards _1.._n)."""
    os.makedirs(folder, exist_ok=True)
    sharded = isinstance(sizes, (list, tuple))
    index = start
    for shard, size in enumerate(sizes if sharded else [sizes], start=1):
        rows = np.arange(index, index + size)
        data = dict(
            frames=np.broadcast_to((rows % 256).astype(np.float32)[:, None, None, None],
                                   (size, frame_size, frame_size, 3)).copy(),
            audios=np.broadcast_to((rows / 1000).astype(np.float32)[:, None], (size, 48000)).copy(),
            spects=np.broadcast_to((-rows).astype(np.float32)[:, None, None, None],
                                   (size, 3, 96, 64)).copy())
        for kind in kinds:
            name = f'h5py_{split}_{kind}{suffix}' + (f'_{shard}' if sharded else '') + '.h5'
            with h5py.File(osp.join(folder, name), 'w') as f:
                f.create_dataset(f'{split}_{kind}', data=data[kind])
        index += size
    return index


def test_sharded_pack_order_lengths_and_values(tmp_path):
    # Shards _1, _2, _10 (a lexicographic sort would put _10 second).
    folder = str(tmp_path / '144k_unlabeled')
    os.makedirs(folder)
    index = 0
    for shard, size in ((1, 3), (2, 2), (10, 4)):
        rows = np.arange(index, index + size)
        for kind, array in (('frames', np.broadcast_to(rows.astype(np.float32)[:, None, None, None],
                                                       (size, 256, 256, 3))),
                            ('audios', np.broadcast_to((rows / 1000).astype(np.float32)[:, None],
                                                       (size, 48000))),
                            ('spects', np.broadcast_to((-rows).astype(np.float32)[:, None, None, None],
                                                       (size, 3, 96, 64)))):
            with h5py.File(osp.join(folder, f'h5py_train_{kind}_144k_{shard}.h5'), 'w') as f:
                f.create_dataset(f'train_{kind}', data=np.ascontiguousarray(array))
        index += size
    assert [osp.basename(p) for p in h5_pack.find_pack_shards(folder, 'h5py_train_{kind}_144k',
                                                               'frames')] == [
        'h5py_train_frames_144k_1.h5', 'h5py_train_frames_144k_2.h5',
        'h5py_train_frames_144k_10.h5']
    dataset = H5PackDataset(data_root=str(tmp_path), pack='144k_unlabeled/h5py_train_{kind}_144k',
                            pipeline=[])
    assert len(dataset) == 9
    for i in range(9):
        info = dataset.get_data_info(i)
        assert info['img'].dtype == np.uint8 and info['img'].shape == (256, 256, 3)
        assert int(info['img'][0, 0, 0]) == i
        np.testing.assert_allclose(info['waveform'], np.float32(i / 1000))
        assert info['waveform'].shape == (48000,)
        assert info['log_mel'].shape == (3, 1, 96, 64) and info['log_mel'][0, 0, 0, 0] == -i


def test_files_open_lazily_once_per_process(tmp_path):
    write_pack(str(tmp_path), 'train', 5, suffix='_10k')
    h5_pack.close_open_h5()
    dataset = H5PackDataset(data_root=str(tmp_path), pack='h5py_train_{kind}_10k', pipeline=[])
    pid = os.getpid()
    mine = lambda: {path for path, owner in h5_pack._OPEN_FILES if owner == pid}  # noqa: E731
    assert mine() == set()  # nothing opened by __init__
    dataset.get_data_info(0)
    assert len(mine()) == 3
    handles = dict(h5_pack._OPEN_FILES)
    for i in range(5):
        dataset.get_data_info(i)
    assert dict(h5_pack._OPEN_FILES) == handles  # reused, not reopened per sample

    # A forked worker opens its own handles and reads correctly.
    context = multiprocessing.get_context('fork')
    queue = context.Queue()

    def worker():
        value = int(dataset.get_data_info(3)['img'][0, 0, 0])
        owners = {owner for _, owner in h5_pack._OPEN_FILES}
        queue.put((value, owners == {os.getpid()}, os.getpid() != pid))

    process = context.Process(target=worker)
    process.start()
    value, only_own_handles, other_pid = queue.get(timeout=60)
    process.join(timeout=60)
    assert (value, only_own_handles, other_pid) == (3, True, True)
    h5_pack.close_open_h5()


def test_pack_errors_name_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match=r'h5py_train_frames_10k.h5 or .*_<n>.h5'):
        H5PackDataset(data_root=str(tmp_path), pack='h5py_train_{kind}_10k', pipeline=[])
    write_pack(str(tmp_path), 'train', [3, 2], suffix='_144k')
    # Remove a shard of one kind only: the kinds disagree.
    os.remove(str(tmp_path / 'h5py_train_spects_144k_2.h5'))
    with pytest.raises(ValueError, match=r'spects shards .* hold \[3\] samples but the frames '
                                         r'shards hold \[3, 2\]'):
        H5PackDataset(data_root=str(tmp_path), pack='h5py_train_{kind}_144k', pipeline=[])
    write_pack(str(tmp_path), 'test', 4)
    write_id_list(str(tmp_path / 'ids.csv'), ['a', 'b', 'c'])
    with pytest.raises(ValueError, match='ids.csv lists 3 ids but the pack'):
        H5PackDataset(data_root=str(tmp_path), pack='h5py_test_{kind}', id_file='ids.csv',
                      pipeline=[])
    with pytest.raises(ValueError, match='needs id_file'):
        H5PackDataset(data_root=str(tmp_path), pack='h5py_test_{kind}', ann_file='x.json',
                      ann_format='vggss', pipeline=[])
    with pytest.raises(ValueError, match="must contain '{kind}'"):
        H5PackDataset(data_root=str(tmp_path), pack='h5py_test_frames', pipeline=[])


def test_pack_without_spects_gives_the_waveform(tmp_path):
    write_pack(str(tmp_path), 'train', 2, kinds=('frames', 'audios'))
    dataset = H5PackDataset(data_root=str(tmp_path), pack='h5py_train_{kind}', pipeline=TEST_VIEW)
    sample = dataset[1]
    assert 'log_mel' not in sample['inputs']
    assert sample['inputs']['waveform'].shape == (48000,)


@pytest.mark.parametrize('ann_format', ['vggss', 'chaotic_world', 'flickr'])
def test_annotated_test_packs_give_published_gt_maps(tmp_path, ann_format):
    """Boxes squashed with the frame into the 256 x 256 pack; the published
    test view then gives the published ground-truth map of each benchmark."""
    rng = np.random.default_rng(0)
    ids = [f'id{i:03d}' for i in range(12)]
    folder = str(tmp_path / 'Data')
    write_pack(folder, 'test', len(ids))
    write_id_list(osp.join(folder, 'test_ids.csv'), ids)
    expected = {}
    if ann_format == 'vggss':
        records = [{'file': i, 'class': 'c',
                    'bbox': [random_box(rng, 1.0, 1.0, margin=0.05) for _ in range(2)]} for i in ids]
        ann_file = str(tmp_path / 'vggss.json')
        write_json_records(ann_file, records)
        expected = {r['file']: vggss_gt_map(r['bbox']) for r in records}
    elif ann_format == 'chaotic_world':
        records = []
        for i in ids:
            box = [round(v, 1) for v in random_box(rng, 320, 180)]
            records.append({'file': i, 'class': 'c', 'bbox': box})
        ann_file = str(tmp_path / 'cw.json')
        write_json_records(ann_file, records)
        expected = {r['file']: chaotic_world_gt_map(r['bbox']) for r in records}
    else:
        ann_file = str(tmp_path / 'Annotations')
        for i in ids:
            boxes = [[int(v) for v in random_box(rng, 256, 256)] for _ in range(2)]
            write_flickr_xml(osp.join(ann_file, f'{i}.xml'), boxes)
            expected[i] = flickr_gt_map(osp.join(ann_file, f'{i}.xml'))
    dataset = H5PackDataset(data_root=str(tmp_path), pack='Data/h5py_test_{kind}',
                            id_file='Data/test_ids.csv', ann_file=ann_file, ann_format=ann_format,
                            test_mode=True, pipeline=TEST_VIEW)
    assert len(dataset) == len(ids)
    for index, sample_id in enumerate(ids):
        sample = dataset[index]
        assert sample['data_samples'].sample_id == sample_id
        assert sample['inputs']['frames'].shape == (1, 3, 224, 224)
        assert sample['inputs']['log_mel'].shape == (3, 1, 96, 64)
        np.testing.assert_array_equal(sample['data_samples'].gt_map.numpy(), expected[sample_id])
