"""Faults the reliability tests inject in-process (the subprocess ones are in
:mod:`sspl.testing.fault_injection`)."""
import os

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
