"""Faults the reliability tests inject in-process (the subprocess ones are in
:mod:`sspl.testing.fault_injection`)."""
import os
import os.path as osp
from typing import Callable

#: the error of every loader given the ``malicious`` fixture's file (tests/conftest.py)
MALICIOUS_REFUSED = (r'malicious\.pth: refused to load: the file holds objects that are '
                     'not plain')


class Exploit:
    """Unpickling this runs ``touch <marker>`` (the classic ``__reduce__`` attack)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


class SimulatedCrash(BaseException):
    """Stands for the process dying mid-write (BaseException: nothing catches it)."""


def half_write(write: Callable, target: str, fail: Callable) -> Callable:
    """A stand-in for ``sspl.utils.atomic_io._write_file`` (``write``): a file
    whose name is ``target`` (the temporary name, ``*.tmp``) gets half of its
    bytes, flushed to disk, then ``fail(file)`` runs (it raises, or kills the
    process); other files are written by ``write``."""
    def write_half_then_fail(file, data):
        if osp.basename(file.name) != target:
            return write(file, data)
        file.write(data[:len(data) // 2])
        file.flush()
        os.fsync(file.fileno())
        fail(file)
    return write_half_then_fail
