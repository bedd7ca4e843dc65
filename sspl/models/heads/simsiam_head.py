"""SimSiam head: projector and predictor MLPs on the attention-pooled features."""
from typing import Dict, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from sspl.registry import MODELS


def _linear_bn(in_dim: int, out_dim: int, relu: bool = True, affine: bool = True) -> nn.Sequential:
    layers = [nn.Linear(in_dim, out_dim, bias=False), nn.BatchNorm1d(out_dim, affine=affine)]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class Projector(nn.Module):
    """3-layer MLP ``in_dim``-``dim``-``dim``-``dim`` with BN; the last BN has no
    affine parameters and no ReLU."""

    def __init__(self, in_dim: int, dim: int):
        super().__init__()
        self.layer1 = _linear_bn(in_dim, dim)
        self.layer2 = _linear_bn(dim, dim)
        self.layer3 = _linear_bn(dim, dim, relu=False, affine=False)

    def forward(self, feature: torch.Tensor) -> torch.Tensor:
        return self.layer3(self.layer2(self.layer1(feature)))


class Predictor(nn.Module):
    """Bottleneck MLP ``dim``-``hidden_dim``-``dim``: Linear, BN, ReLU, Linear (bias)."""

    def __init__(self, dim: int, hidden_dim: int):
        super().__init__()
        self.layer1 = _linear_bn(dim, hidden_dim)
        self.layer2 = nn.Linear(hidden_dim, dim)

    def forward(self, projection: torch.Tensor) -> torch.Tensor:
        return self.layer2(self.layer1(projection))


@MODELS.register_module()
class SimSiamHead(BaseModule):
    """Projector (512-2048-2048-2048) and predictor (2048-512-2048) of SimSiam,
    and its loss. The two views pass one after the other, so every batch-norm
    layer sees the statistics of one view at a time, as in the published code.

    Args:
        in_dim: size of the pooled audio-visual feature (512).
        dim: projection size (2048).
        pred_hidden_dim: bottleneck of the predictor (512).
        loss: config of the loss (``SimSiamLoss``).
    """

    def __init__(self, in_dim: int = 512, dim: int = 2048, pred_hidden_dim: int = 512,
                 loss: Dict = dict(type='SimSiamLoss'), init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.projector = Projector(in_dim, dim)
        self.predictor = Predictor(dim, pred_hidden_dim)
        self.loss_module = MODELS.build(loss)

    def forward(self, feature_view1: torch.Tensor, feature_view2: torch.Tensor
                ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(B, in_dim)`` pooled features of both views -> ``p1, p2, z1, z2``, each
        ``(B, dim)``; ``z`` are detached (stop-gradient)."""
        z1 = self.projector(feature_view1)
        z2 = self.projector(feature_view2)
        p1 = self.predictor(z1)
        p2 = self.predictor(z2)
        return p1, p2, z1.detach(), z2.detach()

    def loss(self, p1, p2, z1, z2) -> torch.Tensor:
        return self.loss_module(p1, p2, z1, z2)
