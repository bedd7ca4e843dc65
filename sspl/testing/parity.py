"""What every parity test shares: the materialisation of a weights spec of
``../shared/parity`` and the parity rule (its README: a faithful float32 CPU
implementation matches each array to 1e-4 of its largest magnitude)."""
from collections import OrderedDict
from typing import Callable, Optional

import numpy as np
import torch

#: ../shared/parity/README.md: relative to each array's largest magnitude
PARITY_RTOL = 1e-4


def materialise_entry(entry: dict) -> torch.Tensor:
    """One spec entry -> tensor of ``entry['shape']`` and ``entry['dtype']``
    (numpy's legacy ``RandomState``, float64 until the final cast)."""
    shape = tuple(entry['shape'])
    count = int(np.prod(shape, dtype=np.int64))
    kind = entry['kind']
    if kind == 'normal':
        values = entry['offset'] + entry['scale'] * np.random.RandomState(
            entry['seed']).standard_normal(count)
    elif kind == 'uniform':
        values = np.random.RandomState(entry['seed']).uniform(entry['low'], entry['high'], count)
    elif kind == 'constant':
        values = np.full(count, entry['value'], dtype=np.float64)
    else:
        raise ValueError(f'unknown spec kind {kind!r} for {entry["key"]}')
    return torch.from_numpy(values.reshape(shape)).to(getattr(torch, entry['dtype']))


def materialise_state_dict(entries: list, rename: Optional[Callable[[str], str]] = None
                           ) -> 'OrderedDict[str, torch.Tensor]':
    """The state dict of spec ``entries``, in their order; ``rename``
    optionally changes each key (e.g. adds or strips ``module.``)."""
    rename = rename or (lambda key: key)
    return OrderedDict((rename(entry['key']), materialise_entry(entry)) for entry in entries)


def max_relative_error(actual, expected) -> float:
    """``max |actual - expected| / max |expected|`` (arrays of the same shape)."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    scale = np.abs(expected).max()
    return float(np.abs(actual - expected).max() / scale) if scale > 0 else float(
        np.abs(actual).max())


def assert_parity_close(actual: torch.Tensor, expected: torch.Tensor, rtol: float = PARITY_RTOL):
    """``max |actual - expected| <= rtol * max |expected|`` (the parity rule)."""
    actual, expected = actual.detach().double(), expected.detach().double()
    assert actual.shape == expected.shape
    scale = expected.abs().max().item()
    error = (actual - expected).abs().max().item()
    assert error <= rtol * max(scale, 1e-12), f'max error {error:.3g} > {rtol} x {scale:.3g}'
