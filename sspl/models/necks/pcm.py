"""Predictive coding module (PCM) of SSPL: a recurrent top-down / bottom-up
network that aligns the visual feature map with the audio embedding."""
from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from sspl.registry import MODELS


class TopDownBlock(nn.Module):
    """3x3 conv (no bias) followed by a 2x2 max-pool: one step down the hierarchy."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, stride=1, padding=1, bias=False)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)

    def forward(self, representation: torch.Tensor) -> torch.Tensor:
        return self.pool(self.conv(representation))


class BottomUpBlock(nn.Module):
    """2x bilinear upsampling (align_corners=True) followed by a 3x3 transposed
    conv (no bias): carries a prediction error one step up."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.upsample = nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True)
        self.conv = nn.ConvTranspose2d(in_channels, out_channels, 3, stride=1, padding=1, bias=False)

    def forward(self, error: torch.Tensor) -> torch.Tensor:
        return self.conv(self.upsample(error))


@MODELS.register_module()
class PredictiveCodingModule(BaseModule):
    """PCM with the published recursion.

    The hierarchy has three levels of representation, from the top (the visual
    map, ``14 x 14``) down to ``7 x 7`` and ``3 x 3``, plus the audio embedding
    at the bottom:

    - top-down (prediction): ``top_down[2]`` (conv + pool, 14 -> 7),
      ``top_down[1]`` (conv + pool, 7 -> 3), ``top_down[0]`` (1x1 conv to the
      audio size, GELU, global average pool): predicts the audio embedding;
    - bottom-up (error): ``bottom_up[0]`` (1x1 transposed conv: audio error ->
      level 0), ``bottom_up[1]`` (3x3 transposed conv, stride 2: 3 -> 7),
      ``bottom_up[2]`` (upsample + 3x3 transposed conv: 7 -> 14);
      ``bottom_up[3]`` (1x1 transposed conv with bias) maps the top
      representation to the output;
    - ``error_rates`` (``a``, through ReLU) weight the errors, ``prediction_rates``
      (``b``, through ReLU) mix the old representation with the new prediction;
    - batch norm after every step: one set for the initial pass, one per cycle.

    Published names, kept in :mod:`tools.model_converters.sspl_to_mmengine`:
    ``PredProcess`` = ``top_down``, ``ErrorProcess`` = ``bottom_up``,
    ``a0`` = ``error_rates``, ``b0`` = ``prediction_rates``, ``BNPred`` =
    ``top_down_norms``, ``BNError`` = ``bottom_up_norms``, ``BNPred_step`` =
    ``top_down_cycle_norms``, ``BNError_step`` = ``bottom_up_cycle_norms``.

    Args:
        visual_channels: channels of the visual map and of the hidden levels (512).
        audio_channels: size of the audio embedding the module predicts (128).
        out_channels: channels of the output map (512).
        cycles: number of recurrent cycles after the initial pass (4).

    Input ``(B, C, 14, 14)`` and ``(B, audio_channels)``; output
    ``(B, out_channels, 14, 14)``. The spatial chain 14 -> 7 -> 3 -> 7 -> 14
    needs a map whose half size is odd (6, 10, 14, 18, ...).
    """

    def __init__(self, visual_channels: int = 512, audio_channels: int = 128,
                 out_channels: int = 512, cycles: int = 4, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.cycles = cycles
        channels = visual_channels
        self.top_down = nn.ModuleList([
            nn.Conv2d(channels, audio_channels, kernel_size=1),
            TopDownBlock(channels, channels),
            TopDownBlock(channels, channels),
        ])
        self.bottom_up = nn.ModuleList([
            nn.ConvTranspose2d(audio_channels, channels, kernel_size=1, bias=False),
            nn.ConvTranspose2d(channels, channels, kernel_size=3, stride=2, bias=False),
            BottomUpBlock(channels, channels),
            nn.ConvTranspose2d(channels, out_channels, kernel_size=1),
        ])
        self.prediction_rates = nn.ParameterList(
            [nn.Parameter(torch.full((1, channels, 1, 1), 0.5)) for _ in range(3)])
        self.error_rates = nn.ParameterList(
            [nn.Parameter(torch.full((1, channels, 1, 1), 1.0)) for _ in range(3)])
        self.top_down_norms = nn.ModuleList([nn.BatchNorm2d(channels) for _ in range(2)])
        self.bottom_up_norms = nn.ModuleList([nn.BatchNorm2d(channels) for _ in range(3)])
        self.top_down_cycle_norms = nn.ModuleList(
            [nn.BatchNorm2d(channels) for _ in range(2 * cycles)])
        self.bottom_up_cycle_norms = nn.ModuleList(
            [nn.BatchNorm2d(channels) for _ in range(3 * cycles)])

    def predict_audio(self, bottom_representation: torch.Tensor) -> torch.Tensor:
        """``(B, C, 3, 3)`` -> predicted audio embedding ``(B, audio_channels)``."""
        return F.gelu(self.top_down[0](bottom_representation)).mean(dim=(2, 3))

    def bottom_up_pass(self, predictions: List[torch.Tensor], representations: List[torch.Tensor],
                       audio_embedding: torch.Tensor, norms: List[nn.Module]) -> List[torch.Tensor]:
        """Propagate prediction errors upwards: the audio error corrects level 0,
        the error of level ``i - 1`` corrects level ``i``."""
        audio_error = audio_embedding - self.predict_audio(representations[0])
        audio_error = audio_error[:, :, None, None].expand(-1, -1, 3, 3)
        updated = []
        error = audio_error
        for level in range(3):
            if level > 0:
                error = updated[level - 1] - predictions[level - 1]
            rate = F.relu(self.error_rates[level])
            updated.append(F.gelu(norms[level](
                representations[level] + rate * self.bottom_up[level](error))))
        return updated

    def forward(self, visual_map: torch.Tensor, audio_embedding: torch.Tensor) -> torch.Tensor:
        """``(B, C, 14, 14)`` visual map and ``(B, audio_channels)`` L2-normalised
        audio embedding -> ``(B, out_channels, 14, 14)`` transformed map."""
        # Initial top-down pass: predictions of the 7 x 7 and 3 x 3 levels.
        predictions = [None, None, visual_map]
        for level in (1, 0):
            predictions[level] = F.gelu(
                self.top_down_norms[level](self.top_down[level + 1](predictions[level + 1])))
        # Initial bottom-up pass.
        representations = self.bottom_up_pass(predictions, predictions, audio_embedding,
                                              self.bottom_up_norms)
        for cycle in range(self.cycles):
            # Top-down: mix each representation with the prediction from above.
            rate = F.relu(self.prediction_rates[2])
            representations[2] = F.gelu((1 - rate) * representations[2] + rate * visual_map)
            for level in (1, 0):
                predictions[level] = self.top_down[level + 1](representations[level + 1])
                rate = F.relu(self.prediction_rates[level])
                norm = self.top_down_cycle_norms[2 * cycle + level]
                representations[level] = F.gelu(
                    norm((1 - rate) * representations[level] + rate * predictions[level]))
            # Bottom-up: correct with the new errors.
            representations = self.bottom_up_pass(
                predictions, representations, audio_embedding,
                self.bottom_up_cycle_norms[3 * cycle:3 * cycle + 3])
        return self.bottom_up[3](representations[2])
