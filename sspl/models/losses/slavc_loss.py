"""SLAVC's objective: image-audio matching against momentum targets, two heads."""
from typing import Dict

import torch
import torch.nn as nn
import torch.nn.functional as F

from sspl.registry import MODELS
from .cross_rank import gather_across_ranks


@MODELS.register_module()
class SLAVCLoss(nn.Module):
    """SLAVC's loss (Mo & Morgado, NeurIPS 2022).

    Two projection heads per modality give ``v1, v2`` ``(B, C, h, w)`` and
    ``a1, a2`` ``(B, C)``; the momentum networks give the targets ``v1', v2',
    a1', a2'``. For image maps ``x1, x2`` and audio ``y1, y2``::

        P[n, m] = log sum_p softmax_m(<x1_n(p), y1_m> / tau) * softmax_p(<x2_n(p), y2_m> / tau)

    head 1 decides which audio (softmax over the batch), head 2 where in the
    image (softmax over positions). ``i2a = P(v, a')`` (online images, target
    audio), ``a2i = P(v', a)`` (target images, online audio), and
    ``loss = CE(a2i, diag) + CE(i2a, diag)``.

    Args:
        tau: temperature (0.03).
        gather_negatives: audio columns from every rank (see :mod:`.cross_rank`).
    """

    def __init__(self, tau: float = 0.03, gather_negatives: bool = False):
        super().__init__()
        self.tau = tau
        self.gather_negatives = gather_negatives

    def log_probabilities(self, visual_map1: torch.Tensor, visual_map2: torch.Tensor,
                          audio_embedding1: torch.Tensor, audio_embedding2: torch.Tensor
                          ) -> torch.Tensor:
        """``P`` above: ``(N, C, h, w)`` x2 and ``(M, C)`` x2 -> ``(N, M)``."""
        which_audio = F.softmax(torch.einsum('nchw,mc->nmhw', visual_map1, audio_embedding1)
                                .flatten(-2, -1) / self.tau, dim=1)
        where = F.softmax(torch.einsum('nchw,mc->nmhw', visual_map2, audio_embedding2)
                          .flatten(-2, -1) / self.tau, dim=2)
        return torch.log((which_audio * where).sum(2))

    def forward(self, visual_maps, audio_embeddings, target_visual_maps, target_audio_embeddings
                ) -> Dict[str, torch.Tensor]:
        """Each argument a pair (head 1, head 2) of this rank's ``(B, C, h, w)``
        maps or ``(B, C)`` embeddings -> ``dict(loss, a2i, i2a)`` (``(B, B')``
        log-probabilities, ``B'`` the gathered batch)."""
        batch = visual_maps[0].shape[0]
        audio1, offset = gather_across_ranks(audio_embeddings[0], self.gather_negatives)
        audio2, _ = gather_across_ranks(audio_embeddings[1], self.gather_negatives)
        target_audio1, _ = gather_across_ranks(target_audio_embeddings[0], self.gather_negatives)
        target_audio2, _ = gather_across_ranks(target_audio_embeddings[1], self.gather_negatives)
        i2a = self.log_probabilities(visual_maps[0], visual_maps[1], target_audio1, target_audio2)
        a2i = self.log_probabilities(target_visual_maps[0], target_visual_maps[1], audio1, audio2)
        labels = torch.arange(batch, device=i2a.device) + offset
        loss = F.cross_entropy(a2i, labels) + F.cross_entropy(i2a, labels)
        return dict(loss=loss, a2i=a2i, i2a=i2a)
