"""Bad input: every kind of broken or unusual frame and audio file, the counted
skip in training, the error in evaluation, annotation checks, and
tools/data/check_dataset.py."""
import logging
import os
import os.path as osp
import re
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile
from PIL import Image

from sspl.testing.reliability import (RecordingLogger, dominant_frequency, tone, truncate,
                                 write_png_frame)
from sspl.datasets import BaseAVDataset
from sspl.datasets.base_av_dataset import SKIPPED_KEY
from sspl.datasets.transforms import LoadAudio, LoadFrame
from sspl.datasets.validation import (AnnotationError, DataLoadError, box_issues,
                                      check_known_ids, validate_data_list)
from sspl.engine.hooks import SkippedSampleHook, TooManyBadSamplesError

# ----------------------------------------------------------------------------
# Frames
# ----------------------------------------------------------------------------


def _load(path):
    return LoadFrame()(dict(frame_path=str(path)))['img']


def test_frame_missing_names_the_file(tmp_path):
    path = tmp_path / 'absent.jpg'
    with pytest.raises(DataLoadError, match=r'absent\.jpg: frame file does not exist'):
        _load(path)


@pytest.mark.parametrize('kind', ['jpeg', 'png'])
def test_frame_truncated_names_the_file(tmp_path, kind):
    path = tmp_path / f'cut.{kind}'
    image = np.random.default_rng(0).integers(0, 256, (96, 96, 3), dtype=np.uint8)
    Image.fromarray(image).save(path)
    truncate(str(path), 0.5)
    with pytest.raises(DataLoadError, match=rf'cut\.{kind}: cannot decode the image'):
        _load(path)


@pytest.mark.parametrize('content', [b'', b'not an image at all' * 10], ids=['empty', 'garbage'])
def test_frame_corrupt_names_the_file(tmp_path, content):
    path = tmp_path / 'bad.png'
    path.write_bytes(content)
    with pytest.raises(DataLoadError, match=r'bad\.png: cannot decode the image'):
        _load(path)


def test_frame_grayscale_becomes_rgb(tmp_path):
    gray = np.arange(32 * 32, dtype=np.uint8).reshape(32, 32)
    Image.fromarray(gray, 'L').save(tmp_path / 'g.png')
    img = _load(tmp_path / 'g.png')
    assert img.dtype == np.uint8 and img.shape == (32, 32, 3)
    for channel in range(3):
        np.testing.assert_array_equal(img[..., channel], gray)


def test_frame_rgba_drops_alpha_keeps_colour(tmp_path):
    rgba = np.random.default_rng(1).integers(0, 256, (16, 16, 4), dtype=np.uint8)
    rgba[..., 3] = 0  # fully transparent: the stored colours must survive
    Image.fromarray(rgba, 'RGBA').save(tmp_path / 'a.png')
    img = _load(tmp_path / 'a.png')
    assert img.shape == (16, 16, 3)
    np.testing.assert_array_equal(img, rgba[..., :3])


def test_frame_cmyk_jpeg_becomes_rgb(tmp_path):
    rgb = np.zeros((32, 32, 3), dtype=np.uint8)
    rgb[:, :16] = (200, 30, 40)
    rgb[:, 16:] = (20, 60, 220)
    Image.fromarray(rgb).convert('CMYK').save(tmp_path / 'c.jpg', quality=98)
    assert Image.open(tmp_path / 'c.jpg').mode == 'CMYK'
    img = _load(tmp_path / 'c.jpg')
    assert img.shape == (32, 32, 3) and img.dtype == np.uint8
    assert np.abs(img[4:28, 2:12].astype(int) - (200, 30, 40)).max() <= 12
    assert np.abs(img[4:28, 20:30].astype(int) - (20, 60, 220)).max() <= 12


def test_frame_16bit_png_is_scaled_not_clipped(tmp_path):
    import cv2
    gray16 = (np.arange(64 * 64).reshape(64, 64) * 16).astype(np.uint16)  # 0 .. 65520
    cv2.imwrite(str(tmp_path / 'g16.png'), gray16)
    img = _load(tmp_path / 'g16.png')
    expected = np.round(gray16 / 257.0).astype(np.uint8)
    for channel in range(3):
        np.testing.assert_array_equal(img[..., channel], expected)

    rgb16 = np.stack([gray16, 65535 - gray16, np.full_like(gray16, 257 * 100)], axis=-1)
    cv2.imwrite(str(tmp_path / 'c16.png'), rgb16[..., ::-1])  # OpenCV writes BGR
    img = _load(tmp_path / 'c16.png')
    np.testing.assert_array_equal(img, np.round(rgb16 / 257.0).astype(np.uint8))


def test_frame_palette_png_becomes_rgb(tmp_path):
    rgb = write_png_frame(str(tmp_path / 'rgb.png'), size=16)
    Image.fromarray(rgb).convert('P', palette=Image.Palette.ADAPTIVE, colors=256).save(
        tmp_path / 'p.png')
    img = _load(tmp_path / 'p.png')
    assert img.shape == (16, 16, 3) and img.dtype == np.uint8
    assert np.abs(img.astype(int) - rgb).mean() < 40


# ----------------------------------------------------------------------------
# Audio
# ----------------------------------------------------------------------------


def _load_audio(path, duration=3.0):
    return LoadAudio(sample_rate=16000, duration=duration)(dict(audio_path=str(path)))['waveform']


@pytest.mark.parametrize('rate,subtype,channels', [
    (16000, 'PCM_U8', 1), (16000, 'PCM_24', 1), (16000, 'FLOAT', 1), (16000, 'PCM_16', 6),
    (8000, 'PCM_16', 1), (48000, 'PCM_16', 1), (44100, 'PCM_16', 2)],
    ids=['8bit', '24bit', 'float32', '6ch', '8kHz', '48kHz', 'stereo44k'])
def test_audio_formats_give_the_right_signal(tmp_path, rate, subtype, channels):
    path = tmp_path / 'a.wav'
    soundfile.write(str(path), tone(1.5, rate, 440.0, channels), rate, subtype=subtype)
    info = soundfile.info(str(path))
    assert (info.samplerate, info.subtype, info.channels) == (rate, subtype, channels)
    waveform = _load_audio(path)
    assert waveform.shape == (48000,) and waveform.dtype == np.float32
    assert np.isfinite(waveform).all() and waveform.min() >= -1 and waveform.max() <= 1
    assert abs(dominant_frequency(waveform, 16000) - 440.0) < 5.0


def test_audio_silent_is_constant_not_nan(tmp_path):
    path = tmp_path / 'silent.wav'
    soundfile.write(str(path), np.zeros(16000 * 4, dtype=np.float32), 16000, subtype='PCM_16')
    waveform = _load_audio(path)
    assert np.isfinite(waveform).all()
    np.testing.assert_array_equal(waveform, np.full(48000, -1.0, dtype=np.float32))


def test_audio_shorter_than_a_second_is_tiled(tmp_path):
    path = tmp_path / 'short.wav'
    short = tone(0.3, 16000, 440.0)
    soundfile.write(str(path), short, 16000, subtype='FLOAT')
    waveform = _load_audio(path)
    assert waveform.shape == (48000,) and np.isfinite(waveform).all()
    # a tiling of the 4800-sample clip (after min-max normalisation)
    normalised = (short - short.min()) / (short.max() - short.min() + 1e-3) * 2 - 1
    period = short.size
    for start in (0, period, 2 * period):
        segment = waveform[start:start + period]
        offset = int(np.argmin(np.abs(normalised - segment[0])))
        assert np.allclose(segment[:100], np.roll(normalised, -offset)[:100], atol=1e-3)


@pytest.mark.parametrize('case', ['missing', 'empty_file', 'garbage', 'no_samples', 'nan'])
def test_audio_unusable_names_the_file(tmp_path, case):
    path = tmp_path / f'{case}.wav'
    if case == 'empty_file':
        path.write_bytes(b'')
    elif case == 'garbage':
        path.write_bytes(b'RIFF' + os.urandom(200))
    elif case == 'no_samples':
        soundfile.write(str(path), np.zeros(0, dtype=np.float32), 16000, subtype='PCM_16')
    elif case == 'nan':
        data = tone(1.0, 16000)
        data[100:200] = np.nan
        soundfile.write(str(path), data, 16000, subtype='FLOAT')
    expected = {'missing': 'audio file does not exist', 'empty_file': 'cannot decode the audio',
                'garbage': 'cannot decode the audio', 'no_samples': 'holds no samples',
                'nan': 'NaN or infinite'}[case]
    with pytest.raises(DataLoadError, match=rf'{case}\.wav: .*{expected}'):
        _load_audio(path)


# ----------------------------------------------------------------------------
# Counted skip in training, error in evaluation
# ----------------------------------------------------------------------------


class ListDataset(BaseAVDataset):
    """A dataset over a given data list (the contract of BaseAVDataset)."""

    def __init__(self, items, **kwargs):
        self._items = items
        super().__init__(**kwargs)

    def load_data_list(self):
        return [dict(item) for item in self._items]


PIPELINE = [dict(type='LoadFrame'), dict(type='LoadAudio', sample_rate=16000, duration=1.0),
            dict(type='PackAVInputs')]


@pytest.fixture
def clips(tmp_path):
    """Six clips; clip 1 has no frame file, clip 3 a corrupt audio file."""
    items = []
    for index in range(6):
        frame, audio = tmp_path / f'f{index}.png', tmp_path / f'a{index}.wav'
        write_png_frame(str(frame), size=32, seed=index)
        soundfile.write(str(audio), tone(1.0, 16000, 300.0 + 50 * index), 16000)
        items.append(dict(sample_id=f'clip{index}', frame_path=str(frame), audio_path=str(audio)))
    os.remove(tmp_path / 'f1.png')
    (tmp_path / 'a3.wav').write_bytes(b'RIFF0000WAVEjunk')
    return items


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


def _fake_runner(loader, epoch=0):
    return SimpleNamespace(train_dataloader=loader, epoch=epoch, logger=RecordingLogger())


def test_skip_counts_cross_worker_processes_and_are_logged(clips):
    from mmengine.dataset import default_collate
    from torch.utils.data import DataLoader

    from sspl.datasets.samplers import KeyedSampler
    dataset = ListDataset(clips, pipeline=PIPELINE)
    # the configs' sampler: a replacement's draw is a function of the sample's
    # key, so the count below is the same in every run (with mmengine's plain
    # indices it came from each worker's unseeded generator)
    loader = DataLoader(dataset, batch_size=2, num_workers=2, collate_fn=default_collate,
                        sampler=KeyedSampler(dataset, shuffle=False, seed=0),
                        multiprocessing_context='fork')
    runner = _fake_runner(loader)
    hook = SkippedSampleHook(max_skip_fraction=None)
    hook.before_train_epoch(runner)
    delivered = []
    for batch_idx, batch in enumerate(loader):
        delivered += [sample.metainfo['sample_id'] for sample in batch['data_samples']]
        hook.after_train_iter(runner, batch_idx, data_batch=batch)
    hook.after_train_epoch(runner)
    assert len(delivered) == 6 and not {'clip1', 'clip3'} & set(delivered)
    (level, message), = [r for r in runner.logger.records if 'skipped' in r[1]]
    assert level == logging.WARNING
    # each of the two bad samples comes up once; a random replacement may hit the
    # other bad one once more in the worker that has not met it yet
    count = int(re.match(r'skipped (\d+) samples in epoch 1 \(2 distinct\)', message).group(1))
    assert 2 <= count <= 4
    assert re.search(r'clip1( \(x\d\))?: \S*f1\.png: frame file does not exist', message)
    assert re.search(r'clip3( \(x\d\))?: \S*a3\.wav: cannot decode the audio', message)


def test_too_many_bad_samples_stop_training():
    from sspl.structures import LocalizationDataSample

    def batch(*skipped):
        sample = LocalizationDataSample()
        sample.set_metainfo({SKIPPED_KEY: list(skipped)})
        return dict(data_samples=[sample])

    loader = SimpleNamespace(sampler=list(range(6)), dataset=None)
    runner = _fake_runner(loader)
    hook = SkippedSampleHook(max_skip_fraction=0.2)  # 6 samples per epoch: at most 1 skipped
    hook.before_train_epoch(runner)
    missing = ('clip1', 'f1.png: frame file does not exist')
    hook.after_train_iter(runner, 0, data_batch=batch(missing))
    with pytest.raises(TooManyBadSamplesError,
                       match=r'skipped 2 samples in epoch 1 \(of 6 per epoch on this rank\), more '
                             r'than max_skip_fraction=0.2: .*clip1: f1.png: frame file does not '
                             r'exist; clip3: a3.wav: cannot decode'):
        hook.after_train_iter(runner, 1, data_batch=batch(('clip3', 'a3.wav: cannot decode')))
    hook.before_train_epoch(runner)  # the count is per epoch
    hook.after_train_iter(runner, 0, data_batch=batch(missing))


# ----------------------------------------------------------------------------
# Annotations
# ----------------------------------------------------------------------------


def _annotated(boxes_per_sample):
    return [dict(sample_id=f's{i}', frame_path='unused.png', audio_path='unused.wav',
                 **({} if boxes is None else dict(gt_bboxes=np.asarray(boxes, dtype=float))))
            for i, boxes in enumerate(boxes_per_sample)]


def test_annotated_split_with_a_sample_without_boxes_fails_at_build():
    items = _annotated([[[1, 1, 5, 5]], None, [[2, 2, 9, 9]]])
    with pytest.raises(AnnotationError, match=r'ERROR .*:s1: no boxes: the split is annotated'):
        ListDataset(items, ann_file='boxes.json', pipeline=[])


@pytest.mark.parametrize('boxes,problem', [
    ([[1, 1, np.nan, 5]], 'NaN or infinite'), ([], 'no boxes'), ([[1, 2, 3]], r'\(N, 4\)')])
def test_malformed_boxes_fail_at_build(boxes, problem):
    items = _annotated([[[1, 1, 5, 5]], boxes])
    items[1]['gt_bboxes'] = np.asarray(boxes, dtype=float)
    with pytest.raises(AnnotationError, match=rf'boxes\.json:s1: .*{problem}'):
        ListDataset(items, ann_file='boxes.json', pipeline=[])


def test_inverted_and_outside_boxes_are_warnings_handled_as_published(monkeypatch):
    assert box_issues([[1, 1, 5, 5]], (10, 10)) == []
    inverted = box_issues([[5, 1, 1, 5]])
    assert [severity for severity, _ in inverted] == ['warning', 'warning']
    assert 'inverted box' in inverted[0][1] and 'ground truth is empty' in inverted[1][1]
    (severity, problem), = box_issues([[-3, 2, 12, 8]], (10, 10))
    assert severity == 'warning' and 'reaches outside the frame 10x10: clipped' in problem
    outside = box_issues([[20, 20, 30, 30], [1, 1, 4, 4]], (10, 10))
    assert len(outside) == 1 and 'lies outside the frame' in outside[0][1]
    # they do not stop the build (the published evaluation handles them), but are counted
    import sspl.datasets.base_av_dataset as base_module
    logged = []
    monkeypatch.setattr(base_module, 'print_log', lambda message, **kwargs: logged.append(message))
    dataset = ListDataset(_annotated([[[5, 1, 1, 5]], [[1, 1, 4, 4]]]), ann_file='b.json',
                          pipeline=[])
    assert len(dataset) == 2
    assert len(logged) == 1 and logged[0].startswith(
        'ListDataset (b.json): 2 annotation warning(s) in 1 sample(s)')


def test_unknown_and_unannotated_ids():
    issues = check_known_ids(['a', 'b', 'c'], ['a', 'c', 'zz'], 'test.csv')
    errors = [str(i) for i in issues if i.severity == 'error']
    warnings = [str(i) for i in issues if i.severity == 'warning']
    assert errors == ['ERROR test.csv:b: listed in the split but has no annotation']
    assert warnings == [
        'WARNING test.csv: 1 annotated ids are not in the split and are ignored (zz)']


def test_real_vggss_annotations_have_18_samples_handled_as_published(metadata_dir):
    from sspl.datasets.annotations import load_vggss_annotations, scale_boxes
    annotations = load_vggss_annotations(osp.join(metadata_dir, 'vggss_test_5158.json'))
    data_list = [dict(sample_id=sample_id, gt_bboxes=scale_boxes(item['boxes'], (1, 1), (224, 224)))
                 for sample_id, item in annotations.items()]
    issues = validate_data_list(data_list, 'vggss_test_5158.json')
    assert [i for i in issues if i.severity == 'error'] == []
    flagged = {issue.where for issue in issues}
    assert len(flagged) == 18
    empty = {issue.where.split(':', 1)[1] for issue in issues
             if 'ground truth is empty' in issue.problem}
    assert empty == {'M1P1xla8rg0_000000', 'MKC9LvRivTM_000030'}


# ----------------------------------------------------------------------------
# tools/data/check_dataset.py
# ----------------------------------------------------------------------------


def test_check_dataset_reports_every_bad_file(tmp_path, repo_root, capsys, load_tool):
    check_dataset = load_tool('tools/data/check_dataset.py')
    from sspl.datasets import SyntheticAVDataset
    data_root = str(tmp_path / 'data')
    SyntheticAVDataset(data_root=data_root, split='train', num_samples=5, pipeline=[])
    config = tmp_path / 'cfg.py'
    config.write_text(f"_base_ = ['{repo_root}/configs/sspl_w_pcm_synthetic.py']\n"
                      f"train_dataloader = dict(dataset=dict(data_root='{data_root}', "
                      "num_samples=5))\n")
    args = [str(config), '--split', 'train']
    assert check_dataset.main(args) == 0
    assert 'OK' in capsys.readouterr().out

    frames, audio = osp.join(data_root, 'frames'), osp.join(data_root, 'audio')
    truncate(osp.join(frames, 'train_00000_a.png'))
    os.remove(osp.join(frames, 'train_00001_b.png'))
    os.remove(osp.join(audio, 'train_00002.wav'))
    open(osp.join(audio, 'train_00003.wav'), 'wb').close()
    soundfile.write(osp.join(audio, 'train_00004.wav'), np.zeros(4000, np.float32), 16000)
    assert check_dataset.main(args) == 1
    out = capsys.readouterr().out
    for expected in ['ERROR ' + osp.join(frames, 'train_00000_a.png') + ': cannot decode the image',
                     'ERROR ' + osp.join(frames, 'train_00001_b.png')
                     + ': frame file does not exist',
                     'ERROR ' + osp.join(audio, 'train_00002.wav') + ': audio file does not exist',
                     'ERROR ' + osp.join(audio, 'train_00003.wav') + ': cannot decode the audio',
                     'WARNING ' + osp.join(audio, 'train_00004.wav') + ': audio is 0.25 s long',
                     'WARNING ' + osp.join(audio, 'train_00004.wav') + ': audio is silent']:
        assert expected in out, expected
    summary = out.split('Summary of')[1].splitlines()
    assert summary[2].split() == ['train', '5', '8', '2', '3', '2', '4', '2']
    assert 'FAILED' in out


def test_unknown_class_in_a_synthetic_annotation_is_named(tmp_path):
    """An edited synthetic annotation with a class the dataset does not know
    is an AnnotationError naming the file and the sample."""
    import json

    from sspl.datasets import SyntheticAVDataset
    from sspl.datasets.validation import AnnotationError
    root = str(tmp_path / 'data')
    SyntheticAVDataset(data_root=root, split='val', num_samples=2, pipeline=[])
    annotation = osp.join(root, 'annotations', 'val.json')
    with open(annotation) as f:
        records = json.load(f)
    records[1]['class'] = 'purple_hexagon'
    with open(annotation, 'w') as f:
        json.dump(records, f)
    with pytest.raises(AnnotationError,
                       match=r"val\.json: val_00001: unknown class 'purple_hexagon'"):
        SyntheticAVDataset(data_root=root, split='val', num_samples=2, pipeline=[])

