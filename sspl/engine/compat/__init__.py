"""Workarounds for upstream bugs and gaps: mmengine 0.10.7 (the latest stable
release, March 2025) on torch >= 2.6. Every one of them lives here, and
nothing here changes mmengine's behaviour on import: importing registers new
names only (two hooks, an optim wrapper, the ``atomic_local`` file backend);
the one global override, the safe checkpoint loader, is installed by an
explicit call (``tools/train.py`` and ``tools/test.py`` make it; a script
that builds its own ``Runner`` calls it too). Each module's docstring says
what it fixes; what users see of them is in ``docs/troubleshooting.md``.

========================  ==========================================  ============================================  ==================================
where                     upstream bug (mmengine 0.10.7, torch 2.11)  how it is worked around                       delete when
========================  ==========================================  ============================================  ==================================
checkpoint_compat_hook    checkpoints hold ``HistoryBuffer`` (its     ``CheckpointCompatHook``: plain lists /       mmengine saves message hubs
                          pickle names ``builtins.getattr``) and      numbers before saving, buffers rebuilt        without HistoryBuffer / numpy
                          numpy values: ``torch.load`` with torch     after loading (``weights_only`` loads them;   (the 0.11 pre-releases only turn
                          2.6's default ``weights_only=True``         nothing is allow-listed)                      ``weights_only`` off: not a fix)
                          refuses them, so ``resume`` fails
safe_checkpoint_loader    ``CheckpointLoader`` calls ``torch.load``   ``install_safe_checkpoint_loader()``          mmengine passes
                          without ``weights_only``: on torch < 2.6    replaces the local loader by                  ``weights_only=True`` and torch
                          a checkpoint executes pickled code; on      ``sspl.utils.safe_load``: a clear             < 2.6 is no longer supported
                          2.6+ the refusal is an opaque pickle error  ``CheckpointError`` naming the file
atomic_file_backend,      ``CheckpointHook`` writes under the final   ``AtomicLocalBackend`` (``atomic_local``:     mmengine's ``CheckpointHook``
atomic_checkpoint_saving  name (a kill leaves a truncated file) and   tmp file + rename) and                        writes atomically and deletes
                          deletes old / previous-best checkpoints     ``AtomicCheckpointSaving``, which overrides   after writing (re-check the
                          *before* writing the new one                two private methods (a reordered copy of      copied private methods on every
                                                                      ``_save_checkpoint_with_step``; deferred      mmengine upgrade)
                                                                      removal in ``_save_best_checkpoint``)
resume                    auto-resume trusts ``last_checkpoint``:     ``find_resumable_checkpoint``: the newest     mmengine's auto-resume skips
                          a missing or truncated file named there     complete ``epoch_N`` / ``iter_N`` file, a     incomplete checkpoints
                          fails the resume (or "resumes from None")   clear error when none is complete
early_stopping_hook       ``EarlyStoppingHook`` keeps its best score  ``ResumableEarlyStoppingHook`` stores its     mmengine's hook saves its state
                          and patience only in memory: they reset     state in the message hub (saved in every
                          on resume                                   checkpoint)
dist                      ``init_dist`` always calls                  ``setup_distributed``: gloo process group     ``init_dist`` supports CPU-only
                          ``torch.cuda.set_device`` (no CPU DDP);     created before the Runner, DDP with           machines
                          SyncBatchNorm needs CUDA                    ``device_ids=None``, ``sync_bn`` dropped
                                                                      with a warning
bf16_optim_wrapper        ``AmpOptimWrapper`` asserts CUDA, builds a  ``BF16OptimWrapper``: ``torch.autocast``      ``AmpOptimWrapper`` runs on CPU
                          ``GradScaler`` even for bf16, uses the      bf16 on any device, no scaler                 and skips the scaler for bf16
                          deprecated ``torch.cuda.amp.GradScaler``
========================  ==========================================  ============================================  ==================================

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
