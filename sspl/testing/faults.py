"""Faults the reliability tests inject in-process (the subprocess ones are in
:mod:`sspl.testing.fault_injection`)."""


class SimulatedCrash(BaseException):
    """Stands for the process dying mid-write (BaseException: nothing catches it)."""
