"""Helpers of sspl's tests (as ``mmaction.testing``): small media files, tiny
configs, readers of the parity data in ``../shared/parity`` and the fault
injection hook of the resume tests. Nothing in the package imports this."""
