"""VGGish log-mel examples computed on the device."""
import torch

from sspl.audio.vggish_log_mel import waveform_to_log_mel_examples
from sspl.registry import MODELS
from .base import BaseAudioFrontend


@MODELS.register_module()
class VGGishLogMelFrontend(BaseAudioFrontend):
    """``waveform`` ``(B, L)`` 16 kHz -> ``log_mel`` ``(B, T, 1, 96, 64)``
    float32 (T = 3 for 3 s): the computation of the worker-side
    :class:`sspl.datasets.transforms.VGGishLogMel`, batched."""

    input_key = 'waveform'
    output_key = 'log_mel'

    def compute(self, waveform: torch.Tensor) -> torch.Tensor:
        return waveform_to_log_mel_examples(waveform).unsqueeze(2)
