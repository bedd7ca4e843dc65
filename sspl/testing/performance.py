"""Helpers of the performance tests (imported by the test modules)."""
import copy

import numpy as np
import torch

#: ../shared/parity/README.md: a faithful float32 CPU implementation matches
#: each array to 1e-4 of its largest magnitude.
PARITY_RTOL = 1e-4


def assert_parity_close(actual: torch.Tensor, expected: torch.Tensor, rtol: float = PARITY_RTOL):
    """``max |actual - expected| <= rtol * max |expected|`` (the parity rule)."""
    actual, expected = actual.detach().double(), expected.detach().double()
    assert actual.shape == expected.shape
    scale = expected.abs().max().item()
    error = (actual - expected).abs().max().item()
    assert error <= rtol * max(scale, 1e-12), f'max error {error:.3g} > {rtol} x {scale:.3g}'


def build_model(model_cfg, seed: int = 0):
    from sspl.registry import MODELS
    torch.manual_seed(seed)
    model = MODELS.build(copy.deepcopy(model_cfg))
    model.init_weights()
    return model


def write_wav(path, seconds: float = 2.0, seed: int = 0, sample_rate: int = 16000) -> str:
    import soundfile
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    audio = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(t.size)
    soundfile.write(str(path), audio.astype(np.float32), sample_rate, subtype='PCM_16')
    return str(path)
