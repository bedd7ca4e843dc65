"""Audio front ends: what the data preprocessor computes from the packed audio
on the model's device (batched), before the localizer sees it."""
import torch
import torch.nn as nn


class BaseAudioFrontend(nn.Module):
    """Turns ``inputs[input_key]`` into ``inputs[output_key]``.

    The data preprocessor calls it when the packed inputs hold ``input_key``
    and not ``output_key`` (a pipeline that computed ``output_key`` in its
    workers, or read it from a cache, is left as it is). Front ends hold no
    weights; they compute in float32 even under mixed precision (logarithms of
    small powers need the mantissa).

    Subclasses set :attr:`input_key` / :attr:`output_key` and write
    :meth:`compute`.
    """

    input_key: str = 'waveform'
    output_key: str = ''

    def compute(self, audio: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        with torch.autocast(device_type=audio.device.type, enabled=False):
            return self.compute(audio.float())
