"""Batching, device transfer and normalisation of audio-visual inputs."""
from typing import Dict, Sequence

import torch
from mmengine.model import BaseDataPreprocessor

from sspl.registry import MODELS


@MODELS.register_module()
class AVDataPreprocessor(BaseDataPreprocessor):
    """Stacks the per-sample inputs, moves them to the model's device and
    normalises the frames there.

    Inputs of one sample, as :class:`sspl.datasets.transforms.PackAVInputs` makes them:
    ``frames`` ``(V, 3, H, W)`` uint8 (V views), and ``log_mel`` ``(T, 1, 96, 64)``
    VGGish log-mel examples or ``waveform`` ``(L,)`` 16 kHz samples (then the
    log-mel examples are computed here, batched on the device).

    Output ``inputs``: ``frames`` ``(B, V, 3, H, W)`` float, ``(x / 255 - mean) / std``;
    ``log_mel`` ``(B, T, 1, 96, 64)``.

    Args:
        mean, std: per-channel statistics in [0, 1] units (ImageNet by default).
    """

    def __init__(self,
                 mean: Sequence[float] = (0.485, 0.456, 0.406),
                 std: Sequence[float] = (0.229, 0.224, 0.225),
                 non_blocking: bool = True):
        super().__init__(non_blocking=non_blocking)
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
        if 'log_mel' not in inputs and 'waveform' in inputs:
            from sspl.datasets.transforms.log_mel import waveform_to_log_mel_examples
            waveform = inputs.pop('waveform').float()
            # float32 even under mixed precision: log(mel + 0.01) needs the mantissa.
            with torch.autocast(device_type=waveform.device.type, enabled=False):
                inputs['log_mel'] = waveform_to_log_mel_examples(waveform).unsqueeze(2)
        return dict(inputs=inputs, data_samples=data['data_samples'])
