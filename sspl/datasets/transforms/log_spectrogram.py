"""Worker-side log spectrogram (the computation: :mod:`sspl.audio.log_spectrogram`)."""
import numpy as np
import torch

from sspl.audio.log_spectrogram import SEGMENT_LENGTH, log_spectrogram
from sspl.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LogSpectrogram:
    """``results['waveform']`` ``(L,)`` at ``results['sample_rate']`` ->
    ``results['spectrogram']`` ``(1, 257, T)`` float32, computed in float64 like
    the published ``scipy.signal.spectrogram`` pipeline (then cast, as its
    ``spec.float()``).

    Args:
        sample_rate: rate assumed when ``results`` has no ``sample_rate``
            (a loader that does not record it); None: required in ``results``.
    """

    def __init__(self, sample_rate=None):
        self.sample_rate = sample_rate

    def __call__(self, results: dict) -> dict:
        source = results.get('audio_path', '<waveform>')
        rate = results.get('sample_rate', self.sample_rate)
        if rate is None:
            raise ValueError(f'LogSpectrogram: {source}: no sample_rate in the sample (load the '
                             'audio with LoadAudioPyAV, or set LogSpectrogram(sample_rate=...))')
        waveform = np.asarray(results['waveform'], dtype=np.float64)
        if waveform.ndim != 1 or waveform.shape[0] < SEGMENT_LENGTH:
            raise ValueError(f'LogSpectrogram: {source}: expected a mono waveform of at least '
                             f'{SEGMENT_LENGTH} samples, got shape {waveform.shape}')
        spectrogram = log_spectrogram(torch.from_numpy(waveform), rate)
        results['spectrogram'] = spectrogram.float().unsqueeze(0).numpy()
        return results

    def __repr__(self):
        return f'{self.__class__.__name__}(sample_rate={self.sample_rate})'
