"""NegativeAudioProbes: silence, noise and another clip's audio with each
frame, for any dataset; seeded per sample; the probes' metainfo through the
pipeline; the config option of tools/test.py."""
import os.path as osp

import numpy as np
import pytest
import soundfile
from mmengine.config import Config

from sspl.apis.test_options import with_negative_audio
from sspl.datasets import NegativeAudioProbes, SyntheticAVDataset
from sspl.datasets.negative_audio import audio_partners


def synthetic(root, split='test', num_samples=6, **kwargs):
    return SyntheticAVDataset(data_root=str(root), split=split, num_samples=num_samples,
                              test_mode=True, pipeline=[dict(type='LoadFrame'),
                                                        dict(type='LoadAudio'),
                                                        dict(type='PackAVInputs')], **kwargs)


def test_probes_for_every_positive_and_kind(tmp_path):
    base = synthetic(tmp_path / 'data')
    probes = NegativeAudioProbes(base, probe_dir=str(tmp_path / 'probes'))
    assert len(probes) == 6 + 3 * 6
    infos = [probes.get_data_info(i) for i in range(len(probes))]
    assert [info['sample_id'] for info in infos[:7]] == [
        f'test_{i:05d}' for i in range(6)] + ['test_00000@silence']
    assert infos[6 + 6]['sample_id'] == 'test_00000@noise'
    assert infos[6 + 12]['sample_id'] == 'test_00000@offscreen'
    labels = [base.get_data_info(i)['label'] for i in range(6)]
    for index in range(6):
        own = base.get_data_info(index)
        silence, noise, offscreen = (infos[6 + 6 * k + index] for k in range(3))
        assert silence['frame_path'] == own['frame_path'] == offscreen['frame_path']
        np.testing.assert_array_equal(silence['gt_bboxes'], own['gt_bboxes'])
        rate, frames = soundfile.info(own['audio_path']).samplerate, soundfile.info(
            own['audio_path']).frames
        for probe in (silence, noise):
            info = soundfile.info(probe['audio_path'])
            assert (info.samplerate, info.frames) == (rate, frames)
        assert not soundfile.read(silence['audio_path'])[0].any()
        samples = soundfile.read(noise['audio_path'])[0]
        assert 0.2 < samples.std() < 0.3
        partner = probes.partners[index]
        assert offscreen['audio_path'] == base.get_data_info(partner)['audio_path']
        assert labels[partner] != labels[index]  # another class's audio
        for probe, kind in ((silence, 'silence'), (noise, 'noise'), (offscreen, 'offscreen')):
            assert (probe['negative_audio'], probe['pair_id']) == (kind, own['sample_id'])
    # The probe's metainfo reaches the data sample; the positive has none.
    sample = probes[6 + 12 + 2]['data_samples']
    assert (sample.negative_audio, sample.pair_id) == ('offscreen', 'test_00002')
    assert sample.sample_id == 'test_00002@offscreen' and sample.gt_map is not None
    assert probes[0]['data_samples'].get('negative_audio') is None
    # Every sample's noise is its own.
    assert len({infos[6 + 6 + i]['audio_path'] for i in range(6)}) == 6


def test_probes_are_seeded_per_sample(tmp_path):
    """The same sample gets the same noise and partner whatever else the
    dataset holds (order, subset), and a new seed gives new ones."""
    base = synthetic(tmp_path / 'data', num_samples=8)
    full = NegativeAudioProbes(base, kinds=['noise'], probe_dir=str(tmp_path / 'a'))
    subset = NegativeAudioProbes(synthetic(tmp_path / 'data', num_samples=8, indices=[5, 0, 3]),
                                 kinds=['noise'], probe_dir=str(tmp_path / 'b'))
    noise = {full.get_data_info(i)['pair_id']: soundfile.read(
        full.get_data_info(i)['audio_path'])[0] for i in range(8, 16)}
    for i in range(3, 6):
        info = subset.get_data_info(i)
        np.testing.assert_array_equal(soundfile.read(info['audio_path'])[0], noise[info['pair_id']])
    other = NegativeAudioProbes(base, kinds=['noise'], seed=1, probe_dir=str(tmp_path / 'a'))
    assert not np.array_equal(soundfile.read(other.get_data_info(8)['audio_path'])[0],
                              noise['test_00000'])
    ids = [f'clip{i}' for i in range(10)]
    labels = [i % 3 for i in range(10)]
    partners = audio_partners(labels, 0, ids)
    reordered = audio_partners(labels[::-1], 0, ids[::-1])
    assert [ids[p] for p in partners] == [ids[::-1][p] for p in reordered][::-1]
    assert audio_partners([None, None], 0) == [1, 0]
    assert audio_partners([4, 4, 4], 0) != [0, 1, 2]  # one class: any other clip


def test_extended_negatives_are_neither_probed_nor_partners(tmp_path):
    base = synthetic(tmp_path / 'data', split='test_extended', num_samples=4, num_negatives=4)
    probes = NegativeAudioProbes(base, kinds=['offscreen', 'silence'],
                                 probe_dir=str(tmp_path / 'p'))
    assert len(probes) == 8 + 2 * 4
    assert all(probes.partners[i] < 4 for i in range(4))
    assert {probes.get_data_info(i)['pair_id'] for i in range(8, 16)} == {
        f'test_{i:05d}' for i in range(4)}
    swapped = NegativeAudioProbes(base, kinds=['offscreen'], mode='replace')
    assert len(swapped) == 8
    first = swapped.get_data_info(0)
    assert first['sample_id'] == 'test_00000' and 'negative_audio' not in first
    assert first['audio_path'] == base.get_data_info(swapped.partners[0])['audio_path']
    assert swapped.get_data_info(5)['audio_path'] == base.get_data_info(5)['audio_path']


class _InMemoryAudio:
    """A dataset whose audio is in memory (as an h5 pack's)."""
    metainfo = {}

    def __len__(self):
        return 2

    def get_data_info(self, index):
        return dict(sample_id=f's{index}', img=np.zeros((8, 8, 3), np.uint8),
                    waveform=np.full(16, float(index), np.float32),
                    gt_bboxes=np.array([[0., 0., 4., 4.]]))

    pipeline = staticmethod(lambda info: info)


def test_in_memory_audio_and_bad_options(tmp_path):
    offscreen = NegativeAudioProbes(_InMemoryAudio(), kinds=['offscreen'])
    assert offscreen.get_data_info(2)['waveform'][0] == 1.0  # s0 with s1's waveform
    silence = NegativeAudioProbes(_InMemoryAudio(), kinds=['silence'])
    with pytest.raises(ValueError, match="s0 has no audio_path .* 'offscreen' works"):
        silence.get_data_info(2)
    for kwargs, message in ((dict(kinds=['quiet']), 'kinds must be distinct ones'),
                            (dict(kinds=['noise', 'silence'], mode='replace'), 'takes one kind'),
                            (dict(mode='swap'), "mode must be 'probes' or 'replace'")):
        with pytest.raises(ValueError, match=message):
            NegativeAudioProbes(_InMemoryAudio(), **kwargs)


def test_the_config_option_wraps_the_test_set_and_adds_the_protocol(repo_root):
    cfg = Config.fromfile(osp.join(repo_root, 'configs', 'sspl_w_pcm_synthetic.py'))
    probed = with_negative_audio(cfg, ['silence', 'noise'], seed=3)
    dataset = probed.test_dataloader.dataset
    assert (dataset.type, dataset.kinds, dataset.seed) == ('NegativeAudioProbes',
                                                           ['silence', 'noise'], 3)
    assert dataset.dataset == cfg.test_dataloader.dataset  # the method's data and pipeline
    assert probed.test_evaluator.protocols == ['fixed', 'median', 'pointing', 'negative_audio']
    assert 'protocols' not in cfg.test_evaluator  # the input is left as it was
    swapped = with_negative_audio(cfg, ['offscreen'], mode='replace')
    assert 'protocols' not in swapped.test_evaluator
    every = Config.fromfile(osp.join(
        repo_root, 'configs', 'sspl',
        'sspl-w-pcm_vgg16-tiny-vggish-tiny_1xb32-10e_synthetic-112px-extended.py'))
    assert with_negative_audio(every).test_evaluator.protocols == 'all'
    cfg.test_evaluator = dict(type='SomethingElse')
    with pytest.raises(ValueError, match='has no LocalizationMetric'):
        with_negative_audio(cfg)


def test_test_tool_options(repo_root, load_tool):
    """tools/test.py --negative-audio / --swap-audio set the config up (and
    are two runs, not one)."""
    tool = load_tool('tools/test.py')
    config = osp.join(repo_root, 'configs', 'sspl_w_pcm_synthetic.py')
    args = tool.parse_args([config, 'x.pth', '--negative-audio', 'noise', '--probe-seed', '4'])
    cfg = tool.merge_args(Config.fromfile(config), args)
    assert (cfg.test_dataloader.dataset.kinds, cfg.test_dataloader.dataset.seed) == (['noise'], 4)
    assert 'negative_audio' in cfg.test_evaluator.protocols
    cfg = tool.merge_args(Config.fromfile(config), tool.parse_args([config, 'x.pth',
                                                                    '--negative-audio']))
    assert cfg.test_dataloader.dataset.kinds == ['silence', 'noise', 'offscreen']
    cfg = tool.merge_args(Config.fromfile(config), tool.parse_args([config, 'x.pth',
                                                                    '--swap-audio']))
    assert (cfg.test_dataloader.dataset.mode, cfg.test_dataloader.dataset.kinds) == (
        'replace', ['offscreen'])
    with pytest.raises(SystemExit, match='two runs'):
        tool.merge_args(Config.fromfile(config), tool.parse_args(
            [config, 'x.pth', '--swap-audio', '--negative-audio']))
