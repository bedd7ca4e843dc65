"""Log power spectrogram of a waveform, in torch.

Same computation as ``scipy.signal.spectrogram(x, fs, nperseg=512,
noverlap=274)`` with scipy's defaults, followed by ``log(S + 1e-7)`` and a
division by 12, the audio input of EZ-VSL, SLAVC and FNAC:

- segments of 512 samples every 238 (512 - 274), no padding, so
  ``T = (L - 512) // 238 + 1`` (200 for 3 s at 16 kHz);
- each segment detrended (its mean removed: ``detrend='constant'``), then
  multiplied by a periodic Tukey window with ``alpha = 0.25``;
- ``|rfft(segment, 512)|^2`` scaled to a power spectral density:
  divided by ``sample_rate * sum(window ** 2)``, and doubled in every bin but
  DC and Nyquist (one-sided);
- ``log(S + 1e-7) / 12`` (the published ``Normalize(mean=0, std=12)``).

Written with torch so the same code runs per sample in a data worker (float64,
parity with scipy: :class:`sspl.datasets.transforms.LogSpectrogram`) and
batched on the device in the data preprocessor (float32:
:class:`sspl.models.audio_frontends.LogSpectrogramFrontend`). The density
scaling and ``T`` depend on the sample rate: the published code uses each
file's own rate.
"""
from functools import lru_cache

import numpy as np
import torch

SEGMENT_LENGTH = 512    # nperseg (= nfft)
OVERLAP = 274           # noverlap
HOP_LENGTH = SEGMENT_LENGTH - OVERLAP  # 238
TUKEY_ALPHA = 0.25
LOG_OFFSET = 1e-7
SCALE = 12.0            # Normalize(mean=[0.0], std=[12.0])
NUM_FREQUENCIES = SEGMENT_LENGTH // 2 + 1  # 257


@lru_cache(maxsize=None)
def tukey_window(length: int = SEGMENT_LENGTH, alpha: float = TUKEY_ALPHA) -> np.ndarray:
    """Periodic Tukey window ``(length,)`` float64: scipy's
    ``get_window(('tukey', alpha), length)`` (the symmetric window of
    ``length + 1`` points without its last one)."""
    if not 0 < alpha < 1:
        raise ValueError(f'tukey_window: alpha must be in (0, 1), got {alpha}')
    points = length + 1
    index = np.arange(points, dtype=np.float64)
    width = int(np.floor(alpha * (points - 1) / 2.0))
    rise = index[:width + 1]
    flat = index[width + 1:points - width - 1]
    fall = index[points - width - 1:]
    window = np.concatenate([
        0.5 * (1 + np.cos(np.pi * (-1 + 2.0 * rise / alpha / (points - 1)))),
        np.ones(flat.shape),
        0.5 * (1 + np.cos(np.pi * (-2.0 / alpha + 1 + 2.0 * fall / alpha / (points - 1)))),
    ])
    window = window[:-1]
    window.setflags(write=False)
    return window


def num_frames(num_samples: int) -> int:
    """Number of spectrogram columns ``T`` of a waveform of ``num_samples``."""
    if num_samples < SEGMENT_LENGTH:
        raise ValueError(f'a waveform of {num_samples} samples is shorter than one '
                         f'{SEGMENT_LENGTH}-sample segment')
    return (num_samples - SEGMENT_LENGTH) // HOP_LENGTH + 1


def log_spectrogram(waveform: torch.Tensor, sample_rate: float) -> torch.Tensor:
    """``(..., L)`` waveform in [-1, 1] at ``sample_rate`` Hz -> ``(..., 257, T)``
    normalised log power spectrogram, computed in the waveform's dtype and on
    its device (see the module docstring)."""
    if not waveform.is_floating_point():
        raise TypeError(f'log_spectrogram: expected a floating-point waveform, got '
                        f'{waveform.dtype}')
    num_frames(waveform.shape[-1])  # raises on a too short waveform
    window, scale = _window_and_scale(float(sample_rate), waveform.dtype, waveform.device)
    segments = waveform.unfold(-1, SEGMENT_LENGTH, HOP_LENGTH)           # (..., T, 512)
    segments = segments - segments.mean(dim=-1, keepdim=True)            # detrend 'constant'
    spectrum = torch.fft.rfft(segments * window, n=SEGMENT_LENGTH)       # (..., T, 257)
    # re^2 + im^2: the bits of view_as_real(spectrum).square().sum(-1), several
    # times faster (a reduction over a last axis of 2 runs element by element)
    power = spectrum.real.square() + spectrum.imag.square()
    power = power * scale                                    # density, one-sided
    return torch.log(power + LOG_OFFSET).transpose(-1, -2) / SCALE


@lru_cache(maxsize=32)
def _window_and_scale(sample_rate: float, dtype: torch.dtype, device: torch.device):
    """The Tukey window ``(512,)`` and the per-bin density scale ``(257,)``:
    ``1 / (sample_rate * sum(window ** 2))``, doubled but at DC and Nyquist
    (``(x * c) * 2 == x * (2 * c)`` exactly in binary floating point, so one
    multiplication gives the bits of scaling then doubling)."""
    window64 = tukey_window()
    density = 1.0 / (sample_rate * float(np.sum(window64 * window64)))
    scale = torch.full((NUM_FREQUENCIES,), density, dtype=dtype)
    scale[1:-1] *= 2
    window = torch.from_numpy(np.array(window64)).to(dtype=dtype)
    return window.to(device), scale.to(device)
