"""Fault injection for the reliability tests.

The tests run ``tools/train.py`` in a subprocess with
``custom_imports=dict(imports=['sspl.testing.fault_injection'])`` in the
config; :class:`FaultInjectionHook` then kills that process with SIGKILL
(no clean-up handler runs, as with the OOM killer or a preempted job):

- ``kill_at_iter=N``: right after training iteration N (1-based) finishes,
  i.e. in the middle of an epoch;
- ``kill_during_save='epoch_2.pth'``: while that file (a checkpoint, or
  ``last_checkpoint``) is being written, after half of its bytes reached the disk;
- ``kill_during_validation=N``: when the validation after epoch N starts;
- ``disk_full_during_save='epoch_2.pth'``: that write fails half-way with
  ``OSError(ENOSPC)`` (the process is not killed: the error propagates);
- ``signal_at_iter=N, signal='SIGSTOP', on_rank=1, stamp_file=PATH``: right
  after iteration N, the process of rank ``on_rank`` (of a distributed run)
  writes the time to ``stamp_file`` and sends itself ``signal`` (SIGKILL: it
  dies; SIGSTOP: it freezes with its sockets open, as a partitioned node).
"""
import errno
import os
import signal
import time

from mmengine.hooks import Hook

import sspl.utils.atomic_io as atomic_io
from sspl.registry import HOOKS

from .faults import half_write


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@HOOKS.register_module()
class FaultInjectionHook(Hook):

    def __init__(self, kill_at_iter=None, kill_during_save=None, kill_during_validation=None,
                 disk_full_during_save=None, signal_at_iter=None, signal='SIGKILL',
                 on_rank=1, stamp_file=None):
        self.kill_at_iter = kill_at_iter
        self.kill_during_save = kill_during_save
        self.kill_during_validation = kill_during_validation
        self.disk_full_during_save = disk_full_during_save
        self.signal_at_iter = signal_at_iter
        self.signal = signal
        self.on_rank = on_rank
        self.stamp_file = stamp_file

    def before_run(self, runner) -> None:
        target = self.kill_during_save or self.disk_full_during_save
        if target is None:
            return
        kill = self.kill_during_save is not None

        def fail(file):
            if kill:
                _die()
            raise OSError(errno.ENOSPC, 'No space left on device (injected)', file.name)

        atomic_io._write_file = half_write(atomic_io._write_file,
                                           target + atomic_io.TMP_SUFFIX, fail)

    def before_val_epoch(self, runner) -> None:
        if self.kill_during_validation is not None and runner.epoch == self.kill_during_validation:
            _die()

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        if self.kill_at_iter is not None and runner.iter + 1 == self.kill_at_iter:
            _die()
        if (self.signal_at_iter is not None and runner.iter + 1 == self.signal_at_iter
                and runner.rank == self.on_rank):
            if self.stamp_file:
                with open(self.stamp_file, 'w') as f:
                    f.write(repr(time.time()))
            os.kill(os.getpid(), getattr(signal, self.signal))
