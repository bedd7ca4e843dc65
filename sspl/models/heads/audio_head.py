"""The trainable audio head of SSPL, on top of the frozen VGGish embedding."""
import torch
import torch.nn as nn
from mmengine.model import BaseModule

from sspl.registry import MODELS


@MODELS.register_module()
class AudioHead(BaseModule):
    """Linear ``in_dim``-``hidden_dim``, ReLU, Linear ``hidden_dim``-``out_dim``
    (128-512-512 in SSPL): maps a VGGish embedding to the space of the visual map.

    ``(N, 128)`` -> ``(N, 512)``. Keys ``fc.0.*`` and ``fc.2.*`` as in the
    published ``sound_best.pth``.
    """

    def __init__(self, in_dim: int = 128, hidden_dim: int = 512, out_dim: int = 512,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.fc = nn.Sequential(
            nn.Linear(in_dim, hidden_dim), nn.ReLU(inplace=True), nn.Linear(hidden_dim, out_dim))

    def forward(self, audio_embedding: torch.Tensor) -> torch.Tensor:
        return self.fc(audio_embedding)
