"""FNAC: EZ-VSL's loss plus false-negative and true-negative suppression."""
from typing import Dict, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from sspl.registry import MODELS
from .cross_rank import gather_across_ranks
from .max_mil_infonce import max_pool_positions, pairwise_similarity_maps


def _row_softmax_l1(similarity: torch.Tensor, target_similarity: torch.Tensor) -> torch.Tensor:
    """``mean |softmax(similarity) - softmax(target)|`` (row softmax)."""
    return F.l1_loss(torch.softmax(similarity, dim=1), torch.softmax(target_similarity, dim=1))


@MODELS.register_module()
class FNACLoss(nn.Module):
    """FNAC's objective (Sun et al., CVPR 2023).

    With ``v`` the unit-norm image maps ``(B, C, h, w)``, ``a`` the unit-norm
    audio embeddings ``(B, C)`` and ``logits`` EZ-VSL's max-pooled ``(B, B)``:

    - ``contrastive``: EZ-VSL's ``CE(logits) + CE(logits^T)``;
    - ``fns_audio`` (FNS-1): ``l1(softmax(a a^T / tau), softmax(logits))``, the
      audio-audio similarities soften the image-to-audio targets;
    - ``tns``: ``l1(softmax(a a^T / tau), softmax(f f^T / tau))``, ``f`` the
      spatial mean of ``v`` over the positions where the sample's own map,
      min-max normalised (``+ 1e-5``), exceeds ``foreground_threshold``;
    - ``fns_image`` (FNS-2): ``l1(softmax(p p^T / tau), softmax(logits))``,
      ``p`` the spatial mean of ``v``.

    ``loss = contrastive`` for epochs ``< warmup_epochs``, then
    ``contrastive + sum(weights * (fns_audio, tns, fns_image))``.

    Args:
        tau: temperature (0.03).
        weights: the three terms' weights (100 each, as published).
        warmup_epochs: epochs trained on the contrastive term alone (5 in the
            published scripts).
        foreground_threshold: of the normalised own map (0.6).
        gather_negatives: negatives from every rank (see :mod:`.cross_rank`).
    """

    def __init__(self, tau: float = 0.03, weights: Sequence[float] = (100.0, 100.0, 100.0),
                 warmup_epochs: int = 5, foreground_threshold: float = 0.6,
                 gather_negatives: bool = False):
        super().__init__()
        if len(weights) != 3:
            raise ValueError(f'FNACLoss: weights needs 3 values (fns_audio, tns, fns_image), '
                             f'got {weights}')
        self.tau = tau
        self.weights = tuple(float(weight) for weight in weights)
        self.warmup_epochs = warmup_epochs
        self.foreground_threshold = foreground_threshold
        self.gather_negatives = gather_negatives

    def in_warmup(self, epoch: int) -> bool:
        return epoch < self.warmup_epochs

    def terms(self, visual_map: torch.Tensor, audio_embedding: torch.Tensor
              ) -> Dict[str, torch.Tensor]:
        """The four terms and the intermediate ``logits`` ``(b, B)`` and
        ``similarity_maps`` ``(b, B, h, w)`` (rows: this rank's samples)."""
        batch = visual_map.shape[0]
        audio_all, offset = gather_across_ranks(audio_embedding, self.gather_negatives)
        visual_all, _ = gather_across_ranks(visual_map, self.gather_negatives)
        rows = torch.arange(batch, device=visual_map.device)
        labels = rows + offset

        audio_similarity = audio_embedding @ audio_all.t() / self.tau
        image_mean = F.adaptive_avg_pool2d(visual_map, 1)[:, :, 0, 0]
        image_mean_all, _ = gather_across_ranks(image_mean, self.gather_negatives)
        image_similarity = image_mean @ image_mean_all.t() / self.tau

        similarity_maps = pairwise_similarity_maps(visual_map, audio_all, self.tau)
        own_map = similarity_maps[rows, labels]                                 # (b, h, w)
        low = torch.amin(own_map, (1, 2), keepdim=True)
        high = torch.amax(own_map, (1, 2), keepdim=True)
        own_map = (own_map - low) / (high - low + 1e-5)
        foreground = visual_map * (own_map > self.foreground_threshold).unsqueeze(1)
        foreground = foreground.flatten(-2, -1).mean(dim=-1)                   # (b, C)
        foreground_all, _ = gather_across_ranks(foreground, self.gather_negatives)
        foreground_similarity = foreground @ foreground_all.t() / self.tau

        logits = max_pool_positions(similarity_maps)
        if visual_all is visual_map:
            logits_t = logits.t()
        else:
            logits_t = max_pool_positions(
                pairwise_similarity_maps(visual_all, audio_embedding, self.tau)).t()
        contrastive = F.cross_entropy(logits, labels) + F.cross_entropy(logits_t, labels)
        return dict(contrastive=contrastive,
                    fns_audio=_row_softmax_l1(audio_similarity, logits),
                    tns=_row_softmax_l1(audio_similarity, foreground_similarity),
                    fns_image=_row_softmax_l1(image_similarity, logits),
                    logits=logits, similarity_maps=similarity_maps)

    def forward(self, visual_map: torch.Tensor, audio_embedding: torch.Tensor,
                epoch: int = 0) -> Dict[str, torch.Tensor]:
        """``(B, C, h, w)``, ``(B, C)`` and the current (0-based) epoch ->
        ``dict(loss, contrastive, fns_audio, tns, fns_image)``."""
        terms = self.terms(visual_map, audio_embedding)
        loss = terms['contrastive']
        if not self.in_warmup(epoch):
            for weight, name in zip(self.weights, ('fns_audio', 'tns', 'fns_image')):
                loss = loss + weight * terms[name]
        return dict(loss=loss, contrastive=terms['contrastive'], fns_audio=terms['fns_audio'],
                    tns=terms['tns'], fns_image=terms['fns_image'])
