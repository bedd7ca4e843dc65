"""FNAC's training-time spectrogram masks (SpecAugment-style, zeros)."""
import numpy as np

from sspl.registry import TRANSFORMS
from ..sample_randomness import sample_rng


def _check(results: dict, name: str) -> np.ndarray:
    spectrogram = results.get('spectrogram')
    if spectrogram is None or np.ndim(spectrogram) != 3:
        raise ValueError(f'{name}: needs results["spectrogram"] (1, F, T) from LogSpectrogram '
                         f'in the pipeline before it (sample {results.get("sample_id")})')
    return np.array(spectrogram, copy=True)


@TRANSFORMS.register_module()
class FrequencyMask:
    """Zero a band of ``0 .. max_width - 1`` frequency rows of
    ``results['spectrogram']`` ``(1, F, T)``.

    As published (FNAC ``datasets.py``), the band's first row is drawn from
    ``range(T)`` (the time axis' length), not ``range(F)``, and a band past
    the last row is cut short: with ``T < F`` the top rows are never masked.
    Random draws from the sample's generator (a function of seed, epoch and
    sample index: :func:`sspl.datasets.sample_randomness.sample_rng`).
    """

    def __init__(self, max_width: int = 10):
        if max_width < 1:
            raise ValueError(f'FrequencyMask: max_width must be >= 1, got {max_width}')
        self.max_width = max_width

    def __call__(self, results: dict) -> dict:
        spectrogram = _check(results, type(self).__name__)
        rng = sample_rng(results)
        start = int(rng.integers(0, spectrogram.shape[2]))
        end = start + int(rng.integers(0, self.max_width))
        spectrogram[:, start:end, :] = 0
        results['spectrogram'] = spectrogram
        return results

    def __repr__(self):
        return f'{self.__class__.__name__}(max_width={self.max_width})'


@TRANSFORMS.register_module()
class TimeMask:
    """Zero ``0 .. max_width - 1`` consecutive time columns of
    ``results['spectrogram']`` ``(1, F, T)``.

    As published, the first column is drawn from ``range(F)`` (the frequency
    axis' length, 257) and a span past the last column is cut short.
    """

    def __init__(self, max_width: int = 10):
        if max_width < 1:
            raise ValueError(f'TimeMask: max_width must be >= 1, got {max_width}')
        self.max_width = max_width

    def __call__(self, results: dict) -> dict:
        spectrogram = _check(results, type(self).__name__)
        rng = sample_rng(results)
        start = int(rng.integers(0, spectrogram.shape[1]))
        end = start + int(rng.integers(0, self.max_width))
        spectrogram[:, :, start:end] = 0
        results['spectrogram'] = spectrogram
        return results

    def __repr__(self):
        return f'{self.__class__.__name__}(max_width={self.max_width})'
