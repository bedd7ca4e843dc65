"""SkippedSampleHook: the skips of every dataloader worker are counted and
logged per epoch, and too many of them stop training."""
import logging
import re
from types import SimpleNamespace

import pytest

from sspl.datasets.base_av_dataset import SKIPPED_KEY
from sspl.engine.hooks import SkippedSampleHook, TooManyBadSamplesError
from sspl.testing import FRAME_AUDIO_PIPELINE as PIPELINE, ListDataset, RecordingLogger


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
