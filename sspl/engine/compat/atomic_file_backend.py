"""An mmengine file backend for local paths whose writes are atomic.

mmengine's ``save_checkpoint`` ends in ``file_backend.put(bytes, path)``, and
the stock ``LocalBackend`` opens the final path and writes into it: a run
killed during the write leaves a truncated checkpoint under the real name.
This backend writes ``<path>.tmp`` and renames it (see
:mod:`sspl.utils.atomic_io`). It is selected per call with
``backend_args=dict(backend='atomic_local')`` (as
:class:`sspl.engine.hooks.AtomicCheckpointHook` does), so mmengine's default
``local`` backend is left untouched.
"""
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

from sspl.utils.atomic_io import atomic_write_bytes, atomic_write_text

ATOMIC_LOCAL_BACKEND = 'atomic_local'


class AtomicLocalBackend(LocalBackend):
    """:class:`mmengine.fileio.LocalBackend` with atomic ``put`` and ``put_text``."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        atomic_write_bytes(filepath, obj)

    def put_text(self, obj: str, filepath: Union[str, Path], encoding: str = 'utf-8') -> None:
        atomic_write_text(filepath, obj, encoding=encoding)


register_backend(ATOMIC_LOCAL_BACKEND, AtomicLocalBackend, force=True)
