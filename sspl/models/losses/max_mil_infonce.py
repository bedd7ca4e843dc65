"""EZ-VSL's multiple-instance InfoNCE with max pooling over positions."""
from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from sspl.registry import MODELS
from .cross_rank import gather_across_ranks


def pairwise_similarity_maps(visual_map: torch.Tensor, audio_embedding: torch.Tensor,
                             tau: float) -> torch.Tensor:
    """``S[n, m, h, w] = <v_n(h, w), a_m> / tau`` of ``(N, C, h, w)`` image maps
    and ``(M, C)`` audio embeddings -> ``(N, M, h, w)``."""
    return torch.einsum('nchw,mc->nmhw', visual_map, audio_embedding) / tau


def max_pool_positions(similarity_maps: torch.Tensor) -> torch.Tensor:
    """``(N, M, h, w)`` -> ``(N, M)``, the max over positions (the bag's score)."""
    return similarity_maps.flatten(-2, -1).max(dim=-1)[0]


@MODELS.register_module()
class MaxMILInfoNCELoss(nn.Module):
    """``CE(logits, diag) + CE(logits^T, diag)`` with
    ``logits[n, m] = max_{h, w} <v_n(h, w), a_m> / tau``: every image is a bag
    of positions, its best position has to pick its own audio among the
    batch's, and every audio its own image (EZ-VSL).

    Args:
        tau: temperature (0.03).
        gather_negatives: take the negatives from every rank's share of the
            batch (see :mod:`.cross_rank`); False (published): from this
            rank's only.
    """

    def __init__(self, tau: float = 0.03, gather_negatives: bool = False):
        super().__init__()
        self.tau = tau
        self.gather_negatives = gather_negatives

    def logits(self, visual_map: torch.Tensor, audio_embedding: torch.Tensor
               ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, int]:
        """``(b, C, h, w)`` and ``(b, C)`` of this rank -> ``(image_to_audio
        (b, B), audio_to_image (b, B), similarity_maps (b, B, h, w), offset)``,
        ``B`` the gathered batch and ``offset`` this rank's first index in it."""
        visual_all, offset = gather_across_ranks(visual_map, self.gather_negatives)
        audio_all, _ = gather_across_ranks(audio_embedding, self.gather_negatives)
        similarity_maps = pairwise_similarity_maps(visual_map, audio_all, self.tau)
        image_to_audio = max_pool_positions(similarity_maps)
        if visual_all is visual_map:  # one rank: the transpose of the same logits
            audio_to_image = image_to_audio.t()
        else:
            audio_to_image = max_pool_positions(
                pairwise_similarity_maps(visual_all, audio_embedding, self.tau)).t()
        return image_to_audio, audio_to_image, similarity_maps, offset

    def forward(self, visual_map: torch.Tensor, audio_embedding: torch.Tensor) -> torch.Tensor:
        """``(B, C, h, w)`` unit-norm image maps and ``(B, C)`` unit-norm audio
        embeddings (pairs by index) -> scalar loss."""
        image_to_audio, audio_to_image, _, offset = self.logits(visual_map, audio_embedding)
        labels = torch.arange(visual_map.shape[0], device=visual_map.device) + offset
        return F.cross_entropy(image_to_audio, labels) + F.cross_entropy(audio_to_image, labels)
