"""End to end per benchmark layout: the preparation tool on a few small
videos made here (PyAV: AAC 44.1 kHz stereo, one corrupt file), then one
training epoch and a test run through the benchmark's config (model shrunk
by a config that inherits it; data location and loader sizes by
``--cfg-options``). Also a legacy h5 pack written here in the published
layout, trained and evaluated through its config."""
import json
import os
import os.path as osp

import numpy as np
import pytest
import soundfile
from PIL import Image

from sspl import testing
from sspl.datasets.annotations import (read_id_list, write_flickr_xml, write_id_list,
                                       write_json_records)
from sspl.testing import frame_level, make_corrupt_video, make_video, write_group_csv

# one torch thread: the tiny models run 10-50x faster on one thread than on
# two when the CPU is shared (OpenMP threads spin-wait for each other)
pytestmark = pytest.mark.usefixtures('one_thread')  # (tests/conftest.py)

# The sizes of configs/sspl_w_pcm_synthetic.py, on 224 px frames: VGG16 with 5
# stages at 1/8 width gives the 64 x 14 x 14 map the small PCM expects.
TINY_W_PCM = """
model = dict(
    visual_backbone=dict(num_stages=5, width_mult=0.125, frozen=True, pretrained=None),
    audio_backbone=dict(width_mult=0.125, hidden_dim=256, pretrained=None),
    audio_head=dict(in_dim=128, hidden_dim=128, out_dim=64),
    neck=dict(visual_channels=64, audio_channels=128, out_channels=64),
    head=dict(in_dim=64, dim=512, pred_hidden_dim=128),
)
"""
TINY_WO_PCM = """
model = dict(
    visual_backbone=dict(num_stages=5, width_mult=0.125, frozen=True, pretrained=None),
    audio_backbone=dict(width_mult=0.125, hidden_dim=256, pretrained=None),
    audio_head=dict(in_dim=128, hidden_dim=128, out_dim=64),
    head=dict(in_dim=64, dim=512, pred_hidden_dim=128),
)
"""
QUIET_RUNTIME = """
visualizer = dict(vis_backends=[dict(type='LocalVisBackend')])
default_hooks = dict(logger=dict(interval=1))
"""


@pytest.fixture(autouse=True)
def _unformatted_config_text(monkeypatch):
    """mmengine formats the config text with yapf each time it dumps or logs
    it (about 1 s per call, 7 calls per train + test run on this CPU); the
    text stays valid Python unformatted, and nothing here tests its layout."""
    monkeypatch.setattr('mmengine.config.config.FormatCode',
                        lambda text, **kwargs: (text, False))


def tiny_config(tmp_path, repo_root, benchmark_config, tiny_model=TINY_W_PCM) -> str:
    path = tmp_path / f'tiny_{osp.basename(benchmark_config)}'
    path.write_text(f"_base_ = [{osp.join(repo_root, 'configs', benchmark_config)!r}]\n"
                    + tiny_model + QUIET_RUNTIME)
    return str(path)


def loader_options(data_root: str, batch_size: int = 2) -> list:
    """Small loaders in the main process; training drops the last partial
    batch (published), so each training set here has at least 2 samples."""
    options = testing.loader_options((('train', None), ('val', None), ('test', None)),
                                     data_root, batch_size)
    return options + ['train_cfg.max_epochs=1', 'randomness.seed=0']


def train_and_test(load_tool, config, work_dir, options):
    """One epoch through tools/train.py, then tools/test.py on its last
    checkpoint (both imported by ``load_tool``, the fixture); returns the
    test metrics."""
    train = load_tool('tools/train.py')
    test = load_tool('tools/test.py')
    # mmengine keeps one visualizer per name in the process: a fresh name per
    # run, so each run logs to its own work dir.
    run = osp.basename(work_dir) + str(id(options))
    train.main([config, '--work-dir', work_dir, '--cfg-options', *options,
                f'visualizer.name=train_{run}'])
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    assert osp.basename(checkpoint) == 'epoch_1.pth'
    logs = [osp.join(root, name) for root, _, names in os.walk(work_dir) for name in names
            if name.endswith('.json') and 'vis_data' in root]
    assert any('"loss"' in open(path).read() for path in logs), 'no training iteration ran'
    assert osp.isfile(checkpoint)
    metrics = test.main([config, checkpoint, '--work-dir', work_dir, '--cfg-options', *options,
                         f'visualizer.name=test_{run}'])
    for key in ('cIoU', 'AUC', 'mean_cIoU'):
        assert 0.0 <= metrics[key] <= 1.0
    return metrics


def built_dataset(config, options, split='test'):
    import argparse
    from mmengine.config import Config, DictAction
    from sspl.registry import DATASETS
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(parser.parse_args(['--cfg-options', *options]).cfg_options)
    dataset_cfg = cfg[f'{split}_dataloader'].dataset
    dataset_cfg.pipeline = []
    return DATASETS.build(dataset_cfg)


def assert_report(report, ok, problems):
    """``problems``: {category: [sample ids]}."""
    assert report['counts']['ok'] + report['counts']['existing'] == ok
    found = {category: sorted(item['sample_id'] for item in items)
             for category, items in report['problems'].items()}
    assert found == {category: sorted(ids) for category, ids in problems.items()}


def mean_grey(path: str) -> float:
    return float(np.asarray(Image.open(path).convert('L'))[:, 8:].mean())


# ---------------------------------------------------------------------------
def test_flickr_prepare_train_test(tmp_path, repo_root, load_tool):
    videos, out = tmp_path / 'videos', str(tmp_path / 'flickr')
    make_video(str(videos / 'train' / '1001.mp4'), seconds=4.0)   # 40 frames: middle = 20
    make_video(str(videos / 'train' / '1002.mp4'), seconds=2.0)   # shorter than 3 s
    make_video(str(videos / 'train' / '1003.mp4'), seconds=3.0)
    make_corrupt_video(str(videos / 'train' / '1004.mp4'))
    for sample_id in ('2001', '2002', '2003'):
        make_video(str(videos / 'test' / f'{sample_id}.mp4'), seconds=3.0)
        write_flickr_xml(str(tmp_path / 'xml' / f'{sample_id}.xml'),
                         [[40, 30, 200, 220], [60, 50, 230, 240]])
    # The official test list names a clip we have no video of.
    write_id_list(osp.join(out, 'flickr_test249_in5k.csv'), ['2001', '2002', '2003', '2999'])

    prepare = load_tool('tools/data/prepare_flickr.py')
    report = prepare.main([str(videos / 'train'), out, '--list-name', 'flickr_train_10k',
                           '--nproc', '1'])
    assert_report(report, 3, {'corrupt': ['1004']})
    assert '1004.mp4' in report['problems']['corrupt'][0]['message']
    assert read_id_list(osp.join(out, 'flickr_train_10k.csv')) == ['1001', '1002', '1003']
    # The frame shown at the middle of the video, the 3 s around it at the video's rate.
    assert abs(mean_grey(osp.join(out, 'frames', '1001.jpg')) - frame_level(20)) < 3
    info = soundfile.info(osp.join(out, 'audio', '1001.wav'))
    assert (info.samplerate, info.channels, info.frames) == (44100, 2, 3 * 44100)
    assert soundfile.info(osp.join(out, 'audio', '1002.wav')).duration < 2.1  # whole, tiled at load

    report = prepare.main([str(videos / 'test'), out, '--ids',
                           osp.join(out, 'flickr_test249_in5k.csv'), '--list-name', 'flickr_test',
                           '--annotations', str(tmp_path / 'xml'), '--nproc', '1'])
    assert_report(report, 3, {'missing': ['2999']})
    assert sorted(os.listdir(osp.join(out, 'Annotations'))) == ['2001.xml', '2002.xml', '2003.xml']

    # Resumable: a second run keeps every output.
    stamp = os.stat(osp.join(out, 'audio', '1001.wav')).st_mtime_ns
    report = prepare.main([str(videos / 'train'), out, '--list-name', 'flickr_train_10k',
                           '--nproc', '1'])
    assert report['counts']['existing'] == 3 and report['counts']['ok'] == 0
    assert os.stat(osp.join(out, 'audio', '1001.wav')).st_mtime_ns == stamp

    config = tiny_config(tmp_path, repo_root, 'sspl_w_pcm.py')
    options = loader_options(out)
    test_set = built_dataset(config, options)
    assert [test_set.get_data_info(i)['sample_id'] for i in range(len(test_set))] == [
        '2001', '2002', '2003']   # 2999 skipped (counted warning), the rest evaluated
    train_and_test(load_tool, config, str(tmp_path / 'work'), options)


def test_vggsound_prepare_train_test(tmp_path, repo_root, load_tool):
    videos, out = tmp_path / 'videos', str(tmp_path / 'vggsound')
    for index in range(3):
        make_video(str(videos / 'train' / f'trainvid{index}_{index:06d}.mp4'), seconds=3.0,
                   tone_hz=300 + 100 * index)
    make_corrupt_video(str(videos / 'train' / 'broken_000000.mp4'))
    test_ids = ['testvidA_000010', 'testvidB_000020']
    for sample_id in test_ids:
        make_video(str(videos / 'test' / f'{sample_id}.mp4'), seconds=3.0, size=(80, 48))
    os.makedirs(out)
    records = [{'file': 'testvidA_000010', 'class': 'dog', 'bbox': [[0.1, 0.2, 0.6, 0.9]]},
               {'file': 'testvidB_000020', 'class': 'cat',
                'bbox': [[0.3, 0.1, 0.8, 0.5], [-0.1, 0.5, 0.4, 1.0]]},
               {'file': 'notlisted_000001', 'class': 'cow', 'bbox': [[0, 0, 1, 1]]}]
    write_json_records(osp.join(out, 'vggss_test_5158.json'), records)
    write_id_list(osp.join(out, 'vggss_test_4692.csv'), test_ids)

    prepare = load_tool('tools/data/prepare_vggsound.py')
    report = prepare.main([str(videos / 'train'), out, '--list-name', 'vggsound_train_10k', '--nproc', '1'])
    assert_report(report, 3, {'corrupt': ['broken_000000']})
    report = prepare.main([str(videos / 'test'), out, '--ids', osp.join(out, 'vggss_test_4692.csv'),
                           '--list-name', 'vggss_test', '--annotations',
                           osp.join(out, 'vggss_test_5158.json'), '--nproc', '1'])
    assert_report(report, 2, {})
    with open(osp.join(out, 'vggss_test.json')) as f:
        assert [record['file'] for record in json.load(f)] == test_ids

    config = tiny_config(tmp_path, repo_root, 'sspl/sspl-w-pcm_vgg16-vggish_2xb128-20e_vggsound10k.py')
    options = loader_options(out)
    assert len(built_dataset(config, options)) == 2
    train_and_test(load_tool, config, str(tmp_path / 'work'), options)


def test_chaotic_world_prepare_train_test(tmp_path, repo_root, load_tool):
    videos, annotations, out = tmp_path / 'videos', tmp_path / 'group', str(tmp_path / 'cw')
    # 160 x 90 videos at 5 fps: the tool stores 320 x 180 frames (the boxes' frame);
    # frame number n (1-based) is shown at (n - 1) / 5 s.
    make_video(str(videos / 'TRAINAAA.mp4'), seconds=6.0, fps=5, size=(160, 90))
    make_video(str(videos / 'TRAINBBB.mp4'), seconds=5.0, fps=5, size=(160, 90))
    make_corrupt_video(str(videos / 'TRAINCCC.mp4'))
    make_video(str(videos / 'TESTDDDD.mp4'), seconds=6.0, fps=5, size=(160, 90))
    write_group_csv(str(annotations / 'TRAINAAA.csv'), [
        (11, 2.0, [[10.5, 20.2, 100.0, 150.0]], 'speech'),
        (21, 4.0, [[50, 60, 300, 170]], 'crying'),
        (3, 0.4, [[1, 2, 30, 40]], 'speech')])          # window before the start: too short
    write_group_csv(str(annotations / 'TRAINBBB.csv'), [(13, 2.4, [[30, 40, 200, 120]], 'car')])
    write_group_csv(str(annotations / 'TRAINCCC.csv'), [(13, 2.4, [[30, 40, 200, 120]], 'car')])
    write_group_csv(str(annotations / 'TESTDDDD.csv'), [
        (8, 1.5, [[100.3, 30.7, 250.9, 170.1]], 'speech'),
        (16, 3.0, [[0, 0, 160, 90]], 'alarm')])
    (tmp_path / 'train_ssl.txt').write_text('TRAINAAA\nTRAINBBB\nTRAINCCC\n')
    (tmp_path / 'test_ssl.txt').write_text('TESTDDDD\n')

    prepare = load_tool('tools/data/prepare_chaotic_world.py')
    report = prepare.main([str(videos), str(annotations), out, '--split', 'train', '--split-list',
                           str(tmp_path / 'train_ssl.txt'), '--nproc', '2'])
    assert_report(report, 3, {'corrupt': ['TRAINCCC_000013'], 'too_short': ['TRAINAAA_000003']})
    assert read_id_list(osp.join(out, 'chaotic_world_train.csv')) == [
        'TRAINAAA_000011', 'TRAINAAA_000021', 'TRAINBBB_000013']
    frame = osp.join(out, 'frames', 'TRAINAAA_000011.png')
    assert Image.open(frame).size == (320, 180)
    assert abs(mean_grey(frame) - frame_level(10)) < 3        # frame number 11 = index 10
    info = soundfile.info(osp.join(out, 'audio', 'TRAINAAA_000021.wav'))
    assert (info.samplerate, info.channels, info.frames) == (44100, 2, 3 * 44100)
    report = prepare.main([str(videos), str(annotations), out, '--split', 'test', '--split-list',
                           str(tmp_path / 'test_ssl.txt'), '--nproc', '1'])
    assert_report(report, 2, {})
    with open(osp.join(out, 'chaotic_world_test.json')) as f:
        assert json.load(f) == [
            {'file': 'TESTDDDD_000008', 'class': 'speech', 'bbox': [100.3, 30.7, 250.9, 170.1]},
            {'file': 'TESTDDDD_000016', 'class': 'alarm', 'bbox': [0.0, 0.0, 160.0, 90.0]}]

    config = tiny_config(tmp_path, repo_root,
                         'sspl/sspl-wo-pcm_vgg16-vggish_1xb128-40e_chaotic-world.py', TINY_WO_PCM)
    train_and_test(load_tool, config, str(tmp_path / 'work'), loader_options(out))


def test_legacy_h5_pack_trains_and_evaluates(tmp_path, repo_root, load_tool):
    """A Chaotic World pack in the published layout (frames float32 squashed
    to 256 x 256, normalised audio, log-mel examples; the training pack in two
    shards), trained and evaluated through
    configs/sspl/sspl-w-pcm_vgg16-vggish_1xb64-350e_chaotic-world-h5.py."""
    import h5py
    from sspl.datasets.transforms import VGGishLogMel, normalize_waveform
    rng = np.random.default_rng(0)
    root = tmp_path / 'ChaoticWorld'

    def write(folder, split, count, shards=None):
        os.makedirs(folder, exist_ok=True)
        frames = rng.integers(0, 256, (count, 256, 256, 3)).astype(np.float32)
        audios = np.stack([normalize_waveform(rng.standard_normal(48000).astype(np.float32))
                           for _ in range(count)])
        spects = np.stack([VGGishLogMel()(dict(waveform=a))['log_mel'][:, 0] for a in audios])
        bounds = shards or [count]
        start = 0
        for shard, size in enumerate(bounds, start=1):
            for kind, data in (('frames', frames), ('audios', audios), ('spects', spects)):
                name = f'h5py_{split}_{kind}' + (f'_{shard}' if shards else '') + '.h5'
                with h5py.File(osp.join(folder, name), 'w') as f:
                    f.create_dataset(f'{split}_{kind}', data=data[start:start + size])
            start += size

    write(str(root / 'all_unlabeled'), 'train', 5, shards=[3, 2])
    write(str(root / 'labeled' / 'Data'), 'test', 3)
    test_ids = ['VIDA_000100', 'VIDA_000200', 'VIDB_000050']
    write_id_list(str(root / 'labeled' / 'Data' / 'ChaoticWorld_test.csv'), test_ids)
    write_json_records(str(root / 'labeled' / 'Annotations' / 'ChaoticWorld_test.json'),
                       [{'file': sample_id, 'class': 'c', 'bbox': [20.5 + 10 * i, 10.0, 200.0, 170.3]}
                        for i, sample_id in enumerate(test_ids)])
    config = tiny_config(tmp_path, repo_root,
                         'sspl/sspl-w-pcm_vgg16-vggish_1xb64-350e_chaotic-world-h5.py')
    options = loader_options(str(root))
    train_set = built_dataset(config, options, 'train')
    assert len(train_set) == 5
    train_and_test(load_tool, config, str(tmp_path / 'work'), options)
