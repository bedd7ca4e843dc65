"""tools/data helpers on prepared files: the log-mel cache writer and the
legacy h5 packer. (The PyAV clip reading of the preparation tools:
tests/test_datasets/test_preparation/test_clip_io.py.)"""
import os
import os.path as osp

import numpy as np
import pytest

from sspl.datasets import H5PackDataset, VGGSoundDataset
from sspl.datasets.annotations import read_id_list, write_id_list
from sspl.datasets.transforms import LoadAudio, VGGishLogMel
from sspl.testing import write_frame, write_wav


@pytest.fixture(scope='module')
def tools(load_tool):
    return dict(cache_log_mel=load_tool('tools/data/cache_log_mel.py'),
                pack_h5=load_tool('tools/data/pack_h5.py'))


@pytest.fixture
def prepared(tmp_path):
    """A VGG-Sound style folder of 3 clips (one with an unreadable wav) and a
    config pointing at it."""
    root = tmp_path / 'vggsound'
    ids = ['a_000001', 'b_000002', 'c_000003']
    for index, sample_id in enumerate(ids):
        write_frame(str(root / 'frames' / f'{sample_id}.jpg'), (96, 54), seed=index)
        write_wav(str(root / 'audio' / f'{sample_id}.wav'), seconds=2.0 + index, rate=22050,
                  channels=2, seed=index)
    (root / 'audio' / 'c_000003.wav').write_bytes(b'RIFF not really a wav')
    write_id_list(str(root / 'train.csv'), ids)
    config = tmp_path / 'config.py'
    config.write_text(
        f"train_dataloader = dict(dataset=dict(type='VGGSoundDataset', data_root={str(root)!r}, "
        "ann_file='train.csv', pipeline=[dict(type='LoadFrame'), dict(type='LoadAudio', "
        "sample_rate=16000, duration=3.0), dict(type='VGGishLogMel'), dict(type='PackAVInputs')]))\n")
    return root, str(config), ids


def test_cache_log_mel_writes_resumes_and_reports(tools, prepared):
    root, config, ids = prepared
    report = tools['cache_log_mel'].main([config, '--split', 'train', '--nproc', '1'])
    assert report['counts']['ok'] == 2
    assert [p['sample_id'] for p in report['problems']['corrupt']] == ['c_000003']
    for sample_id in ids[:2]:
        cached = np.load(str(root / 'log_mel' / f'{sample_id}.npy'))
        expected = VGGishLogMel()(LoadAudio()(dict(
            audio_path=str(root / 'audio' / f'{sample_id}.wav'))))['log_mel'][:, 0]
        assert cached.shape == (3, 96, 64) and cached.dtype == np.float32
        np.testing.assert_array_equal(cached, expected)
    stamp = os.stat(str(root / 'log_mel' / 'a_000001.npy')).st_mtime_ns
    report = tools['cache_log_mel'].main([config, '--split', 'train', '--nproc', '1'])
    assert report['counts']['existing'] == 2 and report['counts']['ok'] == 0
    assert os.stat(str(root / 'log_mel' / 'a_000001.npy')).st_mtime_ns == stamp
    # A dataset with data_prefix log_mel and LoadCachedLogMel reads them.
    dataset = VGGSoundDataset(data_root=str(root), ann_file='train.csv',
                              data_prefix=dict(log_mel='log_mel'),
                              pipeline=[dict(type='LoadFrame'), dict(type='LoadCachedLogMel'),
                                        dict(type='PackAVInputs')])
    np.testing.assert_array_equal(dataset[0]['inputs']['log_mel'][:, 0].numpy(),
                                  np.load(str(root / 'log_mel' / 'a_000001.npy')))


def test_pack_h5_writes_the_published_layout(tools, prepared, tmp_path):
    root, config, ids = prepared
    out = str(tmp_path / 'pack')
    report = tools['pack_h5'].main([config, '--split', 'train', '--out', out, '--nproc', '1',
                                    '--name', 'h5py_train_{kind}_10k', '--shard-size', '1'])
    assert report['counts']['ok'] == 2 and 'c_000003' in str(report['problems'])
    assert sorted(os.listdir(out)) == sorted(
        [f'h5py_train_{kind}_10k_{n}.h5' for kind in ('frames', 'audios', 'spects')
         for n in (1, 2)] + ['h5py_train_ids_10k.csv', 'h5py_train_pack_10k_report.json'])
    assert read_id_list(osp.join(out, 'h5py_train_ids_10k.csv')) == ids[:2]
    import h5py
    with h5py.File(osp.join(out, 'h5py_train_frames_10k_2.h5'), 'r') as f:
        assert list(f.keys()) == ['train_frames']
        assert f['train_frames'].shape == (1, 256, 256, 3) and f['train_frames'].dtype == np.float32
    dataset = H5PackDataset(data_root=out, pack='h5py_train_{kind}_10k',
                            id_file='h5py_train_ids_10k.csv', pipeline=[])
    assert len(dataset) == 2
    info = dataset.get_data_info(1)
    assert info['sample_id'] == 'b_000002'
    expected = tools['pack_h5'].squash_frame(tools['pack_h5'].read_frame_bgr_as_rgb(
        str(root / 'frames' / 'b_000002.jpg')))
    np.testing.assert_array_equal(info['img'], np.uint8(expected))
    audio = VGGishLogMel()(LoadAudio()(dict(audio_path=str(root / 'audio' / 'b_000002.wav'))))
    np.testing.assert_array_equal(info['waveform'], audio['waveform'])
    np.testing.assert_array_equal(info['log_mel'], audio['log_mel'])
