from . import safe_checkpoint_loader  # noqa: F401  (registers the safe local loader)
from .atomic_file_backend import ATOMIC_LOCAL_BACKEND, AtomicLocalBackend
from .checkpoint_compat_hook import CheckpointCompatHook
from .dist import setup_distributed
from .early_stopping_hook import ResumableEarlyStoppingHook
from .resume import checkpoint_is_complete, find_resumable_checkpoint, resolve_auto_resume

__all__ = ['ATOMIC_LOCAL_BACKEND', 'AtomicLocalBackend', 'CheckpointCompatHook',
           'ResumableEarlyStoppingHook', 'checkpoint_is_complete', 'find_resumable_checkpoint',
           'resolve_auto_resume', 'setup_distributed']
