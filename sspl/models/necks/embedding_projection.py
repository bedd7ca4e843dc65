"""Projections into the joint audio-visual embedding space, L2-normalised."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from sspl.registry import MODELS


@MODELS.register_module()
class ConvProjection(BaseModule):
    """1 x 1 convolution then L2 normalisation over channels:
    ``(B, in_channels, h, w)`` -> ``(B, out_channels, h, w)``, unit-norm at every
    position (the published ``img_proj``).

    Initialisation (no ``init_cfg``), as published: weight He-normal (fan-out,
    ReLU gain), bias PyTorch's default.
    """

    def __init__(self, in_channels: int = 512, out_channels: int = 512, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.proj = nn.Conv2d(in_channels, out_channels, kernel_size=1)

    def init_weights(self) -> None:
        if self.init_cfg is not None:
            return super().init_weights()
        nn.init.kaiming_normal_(self.proj.weight, mode='fan_out', nonlinearity='relu')

    def forward(self, feature_map: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.proj(feature_map), dim=1)


@MODELS.register_module()
class LinearProjection(BaseModule):
    """Linear layer then L2 normalisation: ``(B, in_channels)`` ->
    ``(B, out_channels)`` unit vectors (the published ``aud_proj``).

    Initialisation (no ``init_cfg``), as published: weight
    ``trunc_normal(std=0.01)`` (torch's default cut at +-2, i.e. none in
    effect), bias PyTorch's default.
    """

    def __init__(self, in_channels: int = 512, out_channels: int = 512, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.proj = nn.Linear(in_channels, out_channels)

    def init_weights(self) -> None:
        if self.init_cfg is not None:
            return super().init_weights()
        nn.init.trunc_normal_(self.proj.weight, mean=0.0, std=0.01)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.proj(features), dim=1)
