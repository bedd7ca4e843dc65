"""Batching, device transfer and normalisation of audio-visual inputs."""
from typing import Dict, Optional, Sequence

import torch
from mmengine.model import BaseDataPreprocessor

from sspl.registry import MODELS


@MODELS.register_module()
class AVDataPreprocessor(BaseDataPreprocessor):
    """Stacks the per-sample inputs, moves them to the model's device and
    normalises the frames there.

    Inputs of one sample, as :class:`sspl.datasets.transforms.PackAVInputs` makes them:
    ``frames`` ``(V, 3, H, W)`` uint8 (V views) and the audio entry the
    pipeline produced (e.g. ``log_mel`` ``(T, 1, 96, 64)``, ``spectrogram``
    ``(1, F, T)``, or ``waveform`` ``(L,)``).

    Output ``inputs``: ``frames`` ``(B, V, 3, H, W)`` float, ``(x / 255 - mean) / std``;
    the audio entries stacked to ``(B, ...)``; where the packed inputs hold the
    ``audio_frontend``'s input (``waveform``) and not its output, the front end
    computes it here, batched on the device (e.g. ``log_mel``
    ``(B, T, 1, 96, 64)`` from ``waveform`` ``(B, L)``).

    Args:
        mean, std: per-channel statistics in [0, 1] units (ImageNet by default).
        audio_frontend: config of an audio front end
            (:mod:`sspl.models.audio_frontends`), or None (the audio is used as
            packed).
    """

    def __init__(self,
                 mean: Sequence[float] = (0.485, 0.456, 0.406),
                 std: Sequence[float] = (0.229, 0.224, 0.225),
                 audio_frontend: Optional[Dict] = None,
                 non_blocking: bool = True):
        super().__init__(non_blocking=non_blocking)
        self.audio_frontend = MODELS.build(audio_frontend) if audio_frontend else None
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32).view(1, 1, 3, 1, 1),
                             persistent=False)
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32).view(1, 1, 3, 1, 1),
                             persistent=False)

    @staticmethod
    def _stack(value):
        if isinstance(value, (list, tuple)):
            return torch.stack(list(value))
        return value

    def forward(self, data: Dict, training: bool = False) -> Dict:
        inputs = {key: self._stack(value) for key, value in data['inputs'].items()}
        data = self.cast_data({'inputs': inputs, 'data_samples': data.get('data_samples')})
        inputs = data['inputs']
        frames = inputs['frames']
        if frames.dim() == 4:  # (B, 3, H, W): a single view
            frames = frames.unsqueeze(1)
        frames = frames.float().div_(255).sub_(self.mean).div_(self.std)
        inputs['frames'] = frames
        frontend = self.audio_frontend
        if (frontend is not None and frontend.input_key in inputs
                and frontend.output_key not in inputs):
            inputs[frontend.output_key] = frontend(inputs.pop(frontend.input_key))
        return dict(inputs=inputs, data_samples=data['data_samples'])
