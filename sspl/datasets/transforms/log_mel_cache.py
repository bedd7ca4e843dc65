"""Reading precomputed VGGish log-mel examples (a per-clip cache on disk).

The cache is written by ``tools/data/cache_log_mel.py``: one ``<id>.npy`` per
clip, ``(T, 96, 64)`` float32, the same values :class:`VGGishLogMel` computes
from :class:`LoadAudio`'s waveform. It saves the audio decoding, resampling
and STFT per sample (it is not the cache of VGGish *embeddings*).
"""
import os.path as osp

import numpy as np

from sspl.audio.vggish_log_mel import EXAMPLE_FRAMES, NUM_MEL_BINS
from sspl.registry import TRANSFORMS
from ..validation import DataFileError
from .loading import LoadAudio
from .log_mel import VGGishLogMel


def load_log_mel_file(path: str) -> np.ndarray:
    """``(T, 1, 96, 64)`` float32 from a cache file holding ``(T, 96, 64)``."""
    try:
        log_mel = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise DataFileError(f'{path}: cannot read the log-mel cache file ({exc})') from exc
    if log_mel.ndim != 3 or log_mel.shape[1:] != (EXAMPLE_FRAMES, NUM_MEL_BINS):
        raise DataFileError(f'{path}: log-mel cache holds shape {log_mel.shape}, expected '
                         f'(T, {EXAMPLE_FRAMES}, {NUM_MEL_BINS})')
    return log_mel.astype(np.float32, copy=False)[:, None]


@TRANSFORMS.register_module()
class LoadCachedLogMel:
    """Set ``results['log_mel']`` ``(T, 1, 96, 64)`` from
    ``results['log_mel_path']`` (the dataset adds it when its
    ``data_prefix`` has ``log_mel``). Use it instead of ``LoadAudio`` +
    ``VGGishLogMel``.

    Args:
        on_missing: what to do when the cache file is absent: ``'compute'``
            (default: load the audio and compute the examples, as the uncached
            pipeline does) or ``'error'``.
        sample_rate, duration: passed to :class:`LoadAudio` for ``'compute'``.
    """

    def __init__(self, on_missing: str = 'compute', sample_rate: int = 16000,
                 duration: float = 3.0):
        if on_missing not in ('compute', 'error'):
            raise ValueError(f"LoadCachedLogMel: on_missing must be 'compute' or 'error', "
                             f'got {on_missing!r}')
        self.on_missing = on_missing
        self.load_audio = LoadAudio(sample_rate=sample_rate, duration=duration)
        self.log_mel = VGGishLogMel()

    def __call__(self, results: dict) -> dict:
        if results.get('log_mel') is not None:
            return results
        path = results.get('log_mel_path')
        if path is not None and osp.isfile(path):
            results['log_mel'] = load_log_mel_file(path)
            return results
        if self.on_missing == 'error':
            raise FileNotFoundError(
                f'{path}: log-mel cache file not found for sample {results.get("sample_id")} '
                '(write the cache with tools/data/cache_log_mel.py)' if path else
                f'sample {results.get("sample_id")} has no log_mel_path: set '
                "data_prefix=dict(log_mel=...) in the dataset config")
        return self.log_mel(self.load_audio(results))

    def __repr__(self):
        return f'{self.__class__.__name__}(on_missing={self.on_missing!r})'
