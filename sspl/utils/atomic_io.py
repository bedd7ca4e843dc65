"""Atomic file writes: write ``<path>.tmp``, flush it to disk, then rename.

``os.replace`` is atomic on POSIX and Windows when source and destination are
on the same file system, so a reader (or a resumed run) sees either the old
file or the complete new one, never a truncated one. A process killed while
writing leaves at most a stale ``<path>.tmp`` beside an intact ``<path>``.

Files that several processes may write at once (every rank of a DDP run
generating the synthetic set, data workers filling a cache) go through a
temporary name unique to the process: ``per_process_tmp=True``, or
:func:`atomic_output_path` for writers that want a file name (PIL,
soundfile, ``np.save``).
"""
import contextlib
import io
import os
import os.path as osp
from typing import Any, Union

import torch

TMP_SUFFIX = '.tmp'


def tmp_path_of(path: Union[str, os.PathLike]) -> str:
    """The temporary file a write of ``path`` goes through."""
    return os.fspath(path) + TMP_SUFFIX


def _write_file(file, data: bytes) -> None:
    """Write ``data`` to the open binary ``file`` (one place, so that fault
    injection in the tests can interrupt a write half-way)."""
    file.write(data)


def _fsync_dir(folder: str) -> None:
    """Make the rename itself durable (POSIX; a no-op where directories cannot
    be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Union[str, os.PathLike], data: bytes,
                       per_process_tmp: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (tmp file, fsync, rename).

    On an exception the temporary file is removed and ``path`` is left as it
    was; a SIGKILL leaves ``<path>.tmp`` (``<path>.tmp<pid>`` with
    ``per_process_tmp``) behind, never a partial ``path``.
    """
    path = os.fspath(path)
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}' if per_process_tmp else tmp_path_of(path)
    try:
        with open(tmp, 'wb') as file:
            _write_file(file, data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    _fsync_dir(folder)


def atomic_write_text(path: Union[str, os.PathLike], text: str, encoding: str = 'utf-8',
                      per_process_tmp: bool = False) -> None:
    """:func:`atomic_write_bytes` for text."""
    atomic_write_bytes(path, text.encode(encoding), per_process_tmp)


@contextlib.contextmanager
def atomic_output_path(path: Union[str, os.PathLike], suffix: str = ''):
    """Give a writer that wants a file name ``<path>.tmp<pid><suffix>`` (the
    suffix for writers that pick the format by extension, e.g. ``'.npy'``);
    on success it replaces ``path``, on an exception it is removed. No fsync:
    for data files that can be made again (caches, generated data)."""
    path = os.fspath(path)
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}{suffix}'
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def atomic_torch_save(obj: Any, path: Union[str, os.PathLike]) -> None:
    """``torch.save(obj, path)``, atomically."""
    with io.BytesIO() as buffer:
        torch.save(obj, buffer)
        atomic_write_bytes(path, buffer.getvalue())
