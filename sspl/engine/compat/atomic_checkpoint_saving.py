"""mmengine's ``CheckpointHook`` saving, made safe against interruption.

mmengine 0.10.7's ``CheckpointHook`` writes each file straight under its final
name (a run killed mid-write leaves a truncated ``epoch_N.pth`` or
``last_checkpoint``) and deletes the checkpoints it no longer keeps
(``max_keep_ckpts``, the previous best) *before* it writes the new one, so a
kill during the save can leave no checkpoint at all.
:class:`AtomicCheckpointSaving` fixes both by overriding two private methods
of the stock hook (``_save_checkpoint_with_step`` is a reordered copy of
mmengine 0.10.7's): re-check them against mmengine's on every upgrade.
:class:`sspl.engine.hooks.AtomicCheckpointHook` builds on it.
"""
import glob
import os
import os.path as osp
from pathlib import Path
from typing import List, Optional, Sequence, Union

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook

from sspl.utils.atomic_io import TMP_SUFFIX, atomic_write_text
from .atomic_file_backend import ATOMIC_LOCAL_BACKEND


class _DeferredRemoval:
    """A file backend proxy that records ``remove``/``rmtree`` instead of
    performing them, so old checkpoints are deleted only once the new one is
    on disk."""

    def __init__(self, backend):
        self._backend = backend
        self.pending: List[str] = []

    def remove(self, path):
        self.pending.append(str(path))

    def rmtree(self, path):
        self.pending.append(str(path))

    def __getattr__(self, name):
        return getattr(self._backend, name)


class AtomicCheckpointSaving(CheckpointHook):
    """:class:`~mmengine.hooks.CheckpointHook` (same arguments) whose saves
    survive a kill at any moment (not registered: a base class).

    - Every file (``epoch_N.pth``, ``best_*.pth``, the ``last_checkpoint``
      pointer) is written to ``<path>.tmp`` and renamed (the
      :class:`~sspl.engine.compat.AtomicLocalBackend`, for a local
      ``out_dir``; other back ends keep their own semantics).
    - Old checkpoints (``max_keep_ckpts``, the previous best) are deleted only
      after the new one is complete.
    - ``<name>.pth.tmp`` files left by a killed save are removed (and logged)
      when training starts.
    """

    def __init__(self,
                 interval: int = -1,
                 by_epoch: bool = True,
                 save_optimizer: bool = True,
                 save_param_scheduler: bool = True,
                 out_dir: Optional[Union[str, Path]] = None,
                 max_keep_ckpts: int = -1,
                 save_last: bool = True,
                 save_best: Union[str, List[str], None] = None,
                 rule: Union[str, List[str], None] = None,
                 greater_keys: Optional[Sequence[str]] = None,
                 less_keys: Optional[Sequence[str]] = None,
                 file_client_args: Optional[dict] = None,
                 filename_tmpl: Optional[str] = None,
                 backend_args: Optional[dict] = None,
                 published_keys: Union[str, List[str], None] = None,
                 save_begin: int = 0) -> None:
        # The stock hook also takes **kwargs, forwarded to runner.save_checkpoint,
        # which accepts none beyond those above: a misspelt argument would fail
        # only at the first save. Here it fails when the hook is built.
        local = out_dir is None or '://' not in str(out_dir)
        if local and backend_args is None and file_client_args is None:
            backend_args = dict(backend=ATOMIC_LOCAL_BACKEND)
        super().__init__(
            interval=interval, by_epoch=by_epoch, save_optimizer=save_optimizer,
            save_param_scheduler=save_param_scheduler, out_dir=out_dir,
            max_keep_ckpts=max_keep_ckpts, save_last=save_last, save_best=save_best, rule=rule,
            greater_keys=greater_keys, less_keys=less_keys, file_client_args=file_client_args,
            filename_tmpl=filename_tmpl, backend_args=backend_args,
            published_keys=published_keys, save_begin=save_begin)

    @property
    def _atomic(self) -> bool:
        return (self.backend_args or {}).get('backend') == ATOMIC_LOCAL_BACKEND

    def before_train(self, runner) -> None:
        super().before_train(runner)
        if self._atomic and is_main_process():
            self._remove_interrupted_saves(runner)

    def _remove_interrupted_saves(self, runner) -> None:
        leftovers = glob.glob(osp.join(glob.escape(str(self.out_dir)), '*.pth' + TMP_SUFFIX))
        leftovers += glob.glob(osp.join(glob.escape(runner.work_dir),
                                        'last_checkpoint' + TMP_SUFFIX))
        for path in sorted(set(leftovers)):
            os.remove(path)
            runner.logger.warning(f'Removed {path}: an incomplete checkpoint left by a save '
                                  'that was interrupted (the checkpoints themselves are intact).')

    def _save_checkpoint_with_step(self, runner, step, meta):
        """The stock logic, reordered: write, then point to it, then delete."""
        stale_steps = []
        if self.max_keep_ckpts > 0:
            if not (len(self.keep_ckpt_ids) > 0 and self.keep_ckpt_ids[-1] == step):
                if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                    stale_steps.append(self.keep_ckpt_ids.popleft())
                self.keep_ckpt_ids.append(step)
                runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))

        ckpt_filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, ckpt_filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir,
            ckpt_filename,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)
        if not is_main_process():
            return
        pointer = osp.join(runner.work_dir, 'last_checkpoint')
        if self._atomic:
            atomic_write_text(pointer, str(self.last_ckpt))
        else:
            with open(pointer, 'w') as f:
                f.write(str(self.last_ckpt))
        for stale_step in stale_steps:
            path = self.file_backend.join_path(self.out_dir, self.filename_tmpl.format(stale_step))
            if path == self.last_ckpt:
                continue
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
            elif self.file_backend.isdir(path):  # deepspeed saves folders
                self.file_backend.rmtree(path)

    def _save_best_checkpoint(self, runner, metrics) -> None:
        """The stock logic, with the previous best deleted after the new one is written."""
        backend = self.file_backend
        deferred = _DeferredRemoval(backend)
        self.file_backend = deferred
        try:
            super()._save_best_checkpoint(runner, metrics)
        finally:
            self.file_backend = backend
        keep = {str(self.last_ckpt)}
        if getattr(self, 'best_ckpt_path', None):
            keep.add(str(self.best_ckpt_path))
        keep.update(str(p) for p in getattr(self, 'best_ckpt_path_dict', {}).values() if p)
        for path in deferred.pending:
            if path in keep:
                continue
            if backend.isfile(path):
                backend.remove(path)
            elif backend.isdir(path):
                backend.rmtree(path)
