"""Worker-side VGGish log-mel examples (the computation: :mod:`sspl.audio.vggish_log_mel`)."""
import numpy as np
import torch

from sspl.audio.vggish_log_mel import min_waveform_length, waveform_to_log_mel_examples
from sspl.registry import TRANSFORMS


@TRANSFORMS.register_module()
class VGGishLogMel:
    """``results['waveform']`` ``(48000,)`` -> ``results['log_mel']``
    ``(T, 1, 96, 64)`` float32, computed in float64 like the reference."""

    def __call__(self, results: dict) -> dict:
        waveform = torch.from_numpy(np.asarray(results['waveform'], dtype=np.float64))
        if waveform.numel() < min_waveform_length():
            raise ValueError(f"{results.get('audio_path', '<waveform>')}: waveform of "
                             f'{waveform.numel()} samples is shorter than one VGGish example')
        results['log_mel'] = waveform_to_log_mel_examples(waveform).float().unsqueeze(1).numpy()
        return results

    def __repr__(self):
        return f'{self.__class__.__name__}()'
