"""VGGish log-mel examples of a waveform, in torch.

Same computation as the AudioSet VGGish reference (``mel_features.py``): STFT
with a 400-sample periodic Hann window, hop 160, FFT size 512, magnitude; 64
mel bands (HTK formula, 125-7500 Hz, triangles built in mel space); ``log(mel +
0.01)``; examples of 96 frames with hop 96. Written with torch so the same code
runs per sample in a data worker (float64, parity with the reference:
:class:`sspl.datasets.transforms.VGGishLogMel`) and batched on the device in
the data preprocessor (float32: :class:`sspl.models.audio_frontends.VGGishLogMelFrontend`).
"""
import math
from functools import lru_cache

import numpy as np
import torch

SAMPLE_RATE = 16000
WINDOW_LENGTH = 400     # 0.025 s
HOP_LENGTH = 160        # 0.010 s
FFT_LENGTH = 512
NUM_MEL_BINS = 64
MEL_MIN_HZ = 125.0
MEL_MAX_HZ = 7500.0
LOG_OFFSET = 0.01
EXAMPLE_FRAMES = 96     # 0.96 s
EXAMPLE_HOP_FRAMES = 96


def _hertz_to_mel(frequencies_hertz: np.ndarray) -> np.ndarray:
    return 1127.0 * np.log(1.0 + frequencies_hertz / 700.0)


@lru_cache(maxsize=None)
def mel_weight_matrix(num_mel_bins: int = NUM_MEL_BINS,
                      num_spectrogram_bins: int = FFT_LENGTH // 2 + 1,
                      sample_rate: int = SAMPLE_RATE,
                      lower_edge_hertz: float = MEL_MIN_HZ,
                      upper_edge_hertz: float = MEL_MAX_HZ) -> np.ndarray:
    """``(num_spectrogram_bins, num_mel_bins)`` float64 matrix; triangles are
    linear in mel, the DC bin gets no weight."""
    bins_mel = _hertz_to_mel(np.linspace(0.0, sample_rate / 2.0, num_spectrogram_bins))
    edges_mel = np.linspace(_hertz_to_mel(np.float64(lower_edge_hertz)),
                            _hertz_to_mel(np.float64(upper_edge_hertz)), num_mel_bins + 2)
    lower, center, upper = edges_mel[:-2], edges_mel[1:-1], edges_mel[2:]
    lower_slope = (bins_mel[:, None] - lower) / (center - lower)
    upper_slope = (upper - bins_mel[:, None]) / (upper - center)
    weights = np.maximum(0.0, np.minimum(lower_slope, upper_slope))
    weights[0, :] = 0.0
    return weights


def _periodic_hann(length: int, dtype, device) -> torch.Tensor:
    index = torch.arange(length, dtype=torch.float64, device=device)
    return (0.5 - 0.5 * torch.cos(2 * math.pi / length * index)).to(dtype)


def waveform_to_log_mel_examples(waveform: torch.Tensor) -> torch.Tensor:
    """``(..., L)`` 16 kHz waveform -> ``(..., T, 96, 64)`` log-mel examples
    (``T = 3`` for 3 s). Computed in the waveform's dtype and on its device."""
    dtype, device = waveform.dtype, waveform.device
    frames = waveform.unfold(-1, WINDOW_LENGTH, HOP_LENGTH)            # (..., F, 400)
    spectrum = torch.fft.rfft(frames * _periodic_hann(WINDOW_LENGTH, dtype, device),
                              n=FFT_LENGTH).abs()                      # (..., F, 257)
    weights = torch.from_numpy(mel_weight_matrix()).to(dtype=dtype, device=device)
    log_mel = torch.log(spectrum @ weights + LOG_OFFSET)              # (..., F, 64)
    examples = log_mel.unfold(-2, EXAMPLE_FRAMES, EXAMPLE_HOP_FRAMES)  # (..., T, 64, 96)
    return examples.transpose(-1, -2)


def min_waveform_length() -> int:
    """Samples needed for one example (0.975 s at 16 kHz)."""
    return WINDOW_LENGTH + (EXAMPLE_FRAMES - 1) * HOP_LENGTH


def frontend_params() -> dict:
    """The constants of the computation (part of every cache key)."""
    return dict(SAMPLE_RATE=SAMPLE_RATE, WINDOW_LENGTH=WINDOW_LENGTH, HOP_LENGTH=HOP_LENGTH,
                FFT_LENGTH=FFT_LENGTH, NUM_MEL_BINS=NUM_MEL_BINS, MEL_MIN_HZ=MEL_MIN_HZ,
                MEL_MAX_HZ=MEL_MAX_HZ, LOG_OFFSET=LOG_OFFSET, EXAMPLE_FRAMES=EXAMPLE_FRAMES,
                EXAMPLE_HOP_FRAMES=EXAMPLE_HOP_FRAMES)
