"""SimSiam's symmetric negative cosine similarity with stop-gradient."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from sspl.registry import MODELS


@MODELS.register_module()
class SimSiamLoss(nn.Module):
    """``0.5 * (-cos(p1, sg(z2)) - cos(p2, sg(z1)))``, averaged over the batch.

    Args:
        loss_weight: multiplier of the loss.
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, p1: torch.Tensor, p2: torch.Tensor, z1: torch.Tensor,
                z2: torch.Tensor) -> torch.Tensor:
        """``p1, p2, z1, z2``: ``(B, D)`` predictions and projections of the two views."""
        loss = -0.5 * (F.cosine_similarity(p1, z2.detach(), dim=1).mean() +
                       F.cosine_similarity(p2, z1.detach(), dim=1).mean())
        return self.loss_weight * loss
