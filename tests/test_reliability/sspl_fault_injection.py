"""Fault injection for the reliability tests.

The tests run ``tools/train.py`` in a subprocess with this folder on
``PYTHONPATH`` and ``custom_imports=dict(imports=['sspl_fault_injection'])`` in
the config; :class:`FaultInjectionHook` then kills that process with SIGKILL
(no clean-up handler runs, as with the OOM killer or a preempted job):

- ``kill_at_iter=N``: right after training iteration N (1-based) finishes,
  i.e. in the middle of an epoch;
- ``kill_during_save='epoch_2.pth'``: while that checkpoint is being written,
  after half of its bytes reached the disk.
"""
import os
import signal

from mmengine.hooks import Hook

import sspl.utils.atomic_io as atomic_io
from sspl.registry import HOOKS


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@HOOKS.register_module()
class FaultInjectionHook(Hook):

    def __init__(self, kill_at_iter=None, kill_during_save=None):
        self.kill_at_iter = kill_at_iter
        self.kill_during_save = kill_during_save

    def before_run(self, runner) -> None:
        if self.kill_during_save is None:
            return
        target = self.kill_during_save + atomic_io.TMP_SUFFIX
        write = atomic_io._write_file

        def write_half_then_die(file, data):
            if os.path.basename(file.name) != target:
                return write(file, data)
            file.write(data[:len(data) // 2])
            file.flush()
            os.fsync(file.fileno())
            _die()

        atomic_io._write_file = write_half_then_die

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        if self.kill_at_iter is not None and runner.iter + 1 == self.kill_at_iter:
            _die()
