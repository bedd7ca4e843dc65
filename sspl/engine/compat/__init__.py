"""Workarounds for upstream bugs and gaps: mmengine 0.10.7 (the latest stable
release, March 2025) on torch >= 2.6. Every one of them lives here, and
nothing here changes mmengine's behaviour on import: importing registers new
names only (two hooks, an optim wrapper, the ``atomic_local`` file backend);
the one global override, the safe checkpoint loader, is installed by an
explicit call (``tools/train.py`` and ``tools/test.py`` make it; a script
that builds its own ``Runner`` calls it too). Each module's docstring says
what it fixes; what users see of them is in ``docs/troubleshooting.md``.

========================  ================  ========================================  ========================================  ================================
module                    upstream          bug                                       workaround                                delete when
========================  ================  ========================================  ========================================  ================================
checkpoint_compat_hook    mmengine 0.10.7,  checkpoints hold ``HistoryBuffer`` (its   ``CheckpointCompatHook``: plain lists /   mmengine saves message hubs
                          torch >= 2.6      pickle names ``builtins.getattr``) and    numbers before saving, buffers rebuilt    without HistoryBuffer / numpy
                                            numpy values; torch 2.6 loads with        after loading; nothing is allow-listed    (the 0.11 pre-releases only turn
                                            ``weights_only=True`` by default and                                                ``weights_only`` off: not a fix)
                                            refuses them, so ``resume`` fails

safe_checkpoint_loader    mmengine 0.10.7   ``CheckpointLoader`` calls                ``install_safe_checkpoint_loader()``      mmengine passes
                                            ``torch.load`` without ``weights_only``:  (called by the tools) routes local files  ``weights_only=True`` and torch
                                            on torch < 2.6 a checkpoint runs pickled  to ``sspl.utils.safe_load``: a            < 2.6 is no longer supported
                                            code; on 2.6+ a refusal is an opaque      ``CheckpointError`` naming the file
                                            pickle error

atomic_file_backend,      mmengine 0.10.7   ``CheckpointHook`` writes under the       ``AtomicLocalBackend``                    ``CheckpointHook`` writes
atomic_checkpoint_saving                    final name (a kill leaves a truncated     (``atomic_local``: tmp file + rename);    atomically and deletes after
                                            file) and deletes old / previous-best     ``AtomicCheckpointSaving`` overrides two  writing; re-check the copied
                                            checkpoints before writing the new one    private methods (a reordered copy of      private methods on every
                                                                                      ``_save_checkpoint_with_step``; deferred  mmengine upgrade
                                                                                      removal in ``_save_best_checkpoint``)

resume                    mmengine 0.10.7   auto-resume trusts ``last_checkpoint``:   ``find_resumable_checkpoint``: the        mmengine's auto-resume skips
                                            a missing or truncated file named there   newest complete ``epoch_N`` / ``iter_N``  incomplete checkpoints
                                            fails the resume (or it "resumes from     file; a clear error when none is
                                            None")                                    complete

early_stopping_hook       mmengine 0.10.7   ``EarlyStoppingHook`` keeps its best      ``ResumableEarlyStoppingHook`` keeps its  mmengine's hook saves its state
                                            score and patience in memory only: they   state in the message hub (saved in every
                                            reset on resume                           checkpoint)

dist                      mmengine 0.10.7   ``init_dist`` always calls                ``setup_distributed``: gloo process       ``init_dist`` supports machines
                                            ``torch.cuda.set_device`` (no DDP         group created before the Runner, DDP      without CUDA
                                            without CUDA); SyncBatchNorm needs CUDA   with ``device_ids=None``, ``sync_bn``
                                                                                      dropped with a warning

bf16_optim_wrapper        mmengine 0.10.7   ``AmpOptimWrapper`` asserts CUDA, builds  ``BF16OptimWrapper``: ``torch.autocast``  ``AmpOptimWrapper`` runs on CPU
                                            a ``GradScaler`` even for bf16, uses the  bf16 on any device, no scaler             and skips the scaler for bf16
                                            deprecated ``torch.cuda.amp.GradScaler``
========================  ================  ========================================  ========================================  ================================

Outside this package, by necessity (nothing to import):

- ``pytest.ini`` filters the dozens of ``torch.jit.script is deprecated``
  warnings ``import mmengine.runner`` emits on torch 2.11 (under ``-W error``
  the import fails). Delete with the above once mmengine stops scripting.
- Configs are kept free of stdlib calls, ``_base_`` first: in a virtualenv
  mmengine judges ``os`` / ``json`` third-party and fails to parse them.
- ``Config.setdefault`` on a missing key returns a detached copy: the tools
  assign nested dicts back instead (``dist.py``, ``tools/test.py``).
- ``tools/test.py`` loads the checkpoint with
  :func:`sspl.apis.model.load_localizer_checkpoint` (strict on every rank;
  mmengine's strict ``load_from`` raises on rank 0 only): it stays with the
  inference API, whose loader it is.
"""
from .atomic_checkpoint_saving import AtomicCheckpointSaving
from .atomic_file_backend import ATOMIC_LOCAL_BACKEND, AtomicLocalBackend
from .bf16_optim_wrapper import BF16OptimWrapper
from .checkpoint_compat_hook import CheckpointCompatHook
from .dist import setup_distributed
from .early_stopping_hook import ResumableEarlyStoppingHook
from .resume import checkpoint_is_complete, find_resumable_checkpoint, resolve_auto_resume
from .safe_checkpoint_loader import (install_safe_checkpoint_loader,
                                     safe_checkpoint_loader_installed,
                                     uninstall_safe_checkpoint_loader)

__all__ = ['ATOMIC_LOCAL_BACKEND', 'AtomicCheckpointSaving', 'AtomicLocalBackend',
           'BF16OptimWrapper', 'CheckpointCompatHook', 'ResumableEarlyStoppingHook',
           'checkpoint_is_complete', 'find_resumable_checkpoint',
           'install_safe_checkpoint_loader', 'resolve_auto_resume',
           'safe_checkpoint_loader_installed', 'setup_distributed',
           'uninstall_safe_checkpoint_loader']
