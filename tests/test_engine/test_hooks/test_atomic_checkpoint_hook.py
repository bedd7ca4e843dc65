"""AtomicCheckpointHook: an interrupted checkpoint save never costs an
existing file (the latest, the best, or the ``last_checkpoint`` pointer).

(The write itself is tested in tests/test_utils/test_atomic_io.py; the
SIGKILL-during-save case through ``tools/train.py`` in
tests/test_engine/test_compat/test_resume.py.)
"""
import os.path as osp
import uuid
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub

from sspl.engine.compat.resume import checkpoint_is_complete
from sspl.engine.hooks import AtomicCheckpointHook  # noqa: F401
from sspl.registry import HOOKS
from sspl.testing import RecordingLogger, SimulatedCrash
from sspl.utils import safe_load


class FakeRunner:
    """What CheckpointHook uses of a Runner; ``save_checkpoint`` goes through
    mmengine's real ``save_checkpoint`` and file back end."""

    def __init__(self, work_dir):
        self.work_dir = str(work_dir)
        self.logger = RecordingLogger()
        self.message_hub = MessageHub.get_instance(f'atomic-{uuid.uuid4().hex}')
        self.epoch, self.iter = 0, 0
        self.train_loop = SimpleNamespace(max_epochs=10, val_begin=1, val_interval=1)
        self.max_epochs = 10
        self.val_loop = None

    def save_checkpoint(self, out_dir, filename, file_client_args=None, save_optimizer=True,
                        save_param_scheduler=True, meta=None, by_epoch=True,
                        backend_args=None):
        from mmengine.runner.checkpoint import save_checkpoint
        checkpoint = dict(meta=dict(meta), state_dict=dict(w=torch.full((256,), meta['epoch'])))
        save_checkpoint(checkpoint, osp.join(out_dir, filename), backend_args=backend_args)


def _epoch(hook, runner, epoch, score):
    runner.epoch, runner.iter = epoch - 1, epoch * 2
    hook.after_train_epoch(runner)
    runner.epoch = epoch  # as after the train loop's increment, when validation runs
    hook.after_val_epoch(runner, {'acc': score})


def _make_hook(runner, hook_type='AtomicCheckpointHook'):
    hook = HOOKS.build(dict(type=hook_type, interval=1, max_keep_ckpts=1, save_best='acc',
                            rule='greater'))
    hook.before_train(runner)
    return hook


def test_crash_while_writing_a_new_best_keeps_the_previous_best(tmp_path, crash_when_writing):
    runner = FakeRunner(tmp_path)
    hook = _make_hook(runner)
    _epoch(hook, runner, 1, 0.5)
    best_1 = tmp_path / 'best_acc_epoch_1.pth'
    assert checkpoint_is_complete(str(best_1))

    crash_when_writing('best_acc_epoch_2.pth')
    with pytest.raises(SimulatedCrash):
        _epoch(hook, runner, 2, 0.9)
    assert safe_load(best_1)['meta']['epoch'] == 1  # the stock hook deletes it first
    assert not (tmp_path / 'best_acc_epoch_2.pth').exists()
    assert checkpoint_is_complete(str(tmp_path / 'epoch_2.pth'))


def test_new_best_replaces_the_old_one_once_written(tmp_path):
    runner = FakeRunner(tmp_path)
    hook = _make_hook(runner)
    _epoch(hook, runner, 1, 0.5)
    _epoch(hook, runner, 2, 0.9)
    assert not (tmp_path / 'best_acc_epoch_1.pth').exists()
    assert safe_load(tmp_path / 'best_acc_epoch_2.pth')['meta']['epoch'] == 2
    assert not (tmp_path / 'epoch_1.pth').exists()  # max_keep_ckpts=1
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path / 'epoch_2.pth')
    assert runner.message_hub.get_info('best_score') == 0.9


def test_crash_while_writing_the_latest_keeps_the_previous_and_the_pointer(
        tmp_path, crash_when_writing):
    runner = FakeRunner(tmp_path)
    hook = _make_hook(runner)
    _epoch(hook, runner, 1, 0.5)
    crash_when_writing('epoch_2.pth')
    with pytest.raises(SimulatedCrash):
        _epoch(hook, runner, 2, 0.4)
    # max_keep_ckpts=1: the stock hook removes epoch_1.pth before writing epoch_2.pth
    assert safe_load(tmp_path / 'epoch_1.pth')['meta']['epoch'] == 1
    assert not (tmp_path / 'epoch_2.pth').exists()
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path / 'epoch_1.pth')


def test_crash_while_writing_the_pointer_keeps_the_old_pointer(tmp_path, crash_when_writing):
    runner = FakeRunner(tmp_path)
    hook = _make_hook(runner)
    _epoch(hook, runner, 1, 0.5)
    crash_when_writing('last_checkpoint')
    with pytest.raises(SimulatedCrash):
        _epoch(hook, runner, 2, 0.4)
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path / 'epoch_1.pth')
    assert checkpoint_is_complete(str(tmp_path / 'epoch_1.pth'))
    assert checkpoint_is_complete(str(tmp_path / 'epoch_2.pth'))


def test_leftover_tmp_files_are_removed_at_start(tmp_path):
    (tmp_path / 'epoch_3.pth.tmp').write_bytes(b'partial')
    (tmp_path / 'last_checkpoint.tmp').write_bytes(b'partial')
    (tmp_path / 'notes.tmp').write_bytes(b'not ours')
    runner = FakeRunner(tmp_path)
    _make_hook(runner)
    assert not (tmp_path / 'epoch_3.pth.tmp').exists()
    assert not (tmp_path / 'last_checkpoint.tmp').exists()
    assert (tmp_path / 'notes.tmp').exists()
    assert 'epoch_3.pth.tmp: an incomplete checkpoint' in runner.logger.text()


def test_misspelt_checkpoint_hook_argument_fails_when_built():
    with pytest.raises(TypeError, match='intervall'):
        HOOKS.build(dict(type='AtomicCheckpointHook', intervall=1))
