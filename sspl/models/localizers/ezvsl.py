"""EZ-VSL: Localizing Visual Sounds the Easy Way (Mo & Morgado, ECCV 2022)."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn

from sspl.registry import MODELS
from .base_contrastive import BaseContrastiveLocalizer
from ..heads.object_prior import relative_fusion


@MODELS.register_module()
class EZVSL(BaseContrastiveLocalizer):
    """Multiple-instance contrastive matching of image positions and audio.

    1. vision: ResNet-18 map ``(B, 512, 7, 7)``, 1 x 1 projection, unit norm
       at every position: ``v``;
    2. audio: ResNet-18 on the log spectrogram, max-pooled, linear
       projection, unit norm: ``a`` ``(B, 512)``;
    3. loss: ``logits[n, m] = max_p <v_n(p), a_m> / tau``, cross-entropy
       towards the diagonal in both directions
       (:class:`~sspl.models.losses.MaxMILInfoNCELoss`);
    4. map: ``<v_n(p), a_n> / tau`` ``(B, 7, 7)``.

    Args:
        visual_backbone: image encoder (:class:`~sspl.models.backbones.ResNet18`).
        audio_backbone: audio encoder (:class:`~sspl.models.backbones.AudioResNet18`).
        visual_proj: :class:`~sspl.models.necks.ConvProjection`.
        audio_proj: :class:`~sspl.models.necks.LinearProjection`.
        loss: the loss (``tau`` is the localizer's).
        tau: temperature (0.03).
        visual_dropout, audio_dropout: dropout on the encoder outputs before
            the projections (0 for EZ-VSL; FNAC trains with 0.9 on images).
        data_preprocessor, test_cfg, init_cfg: see
            :class:`BaseContrastiveLocalizer`. ``test_cfg`` adds the AV map's
            upsampling for the fusion: ``av_interpolation`` / ``av_align_corners``
            (bilinear, True as in the published test.py).
    """

    extra_test_cfg = dict(av_interpolation='bilinear', av_align_corners=True)

    def __init__(self,
                 visual_backbone: Dict,
                 audio_backbone: Dict,
                 visual_proj: Dict,
                 audio_proj: Dict,
                 loss: Optional[Dict] = None,
                 tau: float = 0.03,
                 visual_dropout: float = 0.0,
                 audio_dropout: float = 0.0,
                 data_preprocessor: Optional[Dict] = None,
                 test_cfg: Optional[Dict] = None,
                 init_cfg=None):
        super().__init__(tau=tau, data_preprocessor=data_preprocessor, test_cfg=test_cfg,
                         init_cfg=init_cfg)
        self.visual_backbone = MODELS.build(visual_backbone)
        self.visual_dropout = nn.Dropout(visual_dropout) if visual_dropout else nn.Identity()
        self.visual_proj = MODELS.build(visual_proj)
        self.audio_backbone = MODELS.build(audio_backbone)
        self.audio_dropout = nn.Dropout(audio_dropout) if audio_dropout else nn.Identity()
        self.audio_proj = MODELS.build(audio_proj)
        self.loss_module = self.build_loss(loss or dict(type='MaxMILInfoNCELoss'))

    # ------------------------------------------------------------ parts
    def extract_visual_feat(self, frames: torch.Tensor) -> torch.Tensor:
        """``(B, 3, 224, 224)`` normalised frames -> unit-norm ``v`` ``(B, 512, 7, 7)``."""
        return self.visual_proj(self.visual_dropout(self.visual_backbone(frames)))

    def extract_audio_feat(self, spectrogram: torch.Tensor) -> torch.Tensor:
        """``(B, 1, 257, T)`` log spectrogram -> unit-norm ``a`` ``(B, 512)``."""
        return self.audio_proj(self.audio_dropout(self.audio_backbone(spectrogram)))

    def extract_feats(self, inputs: Dict) -> Tuple[torch.Tensor, torch.Tensor]:
        return (self.extract_visual_feat(self.first_view(inputs)),
                self.extract_audio_feat(inputs['spectrogram']))

    # ------------------------------------------------------------ modes
    def loss(self, inputs: Dict, data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        """Max-pooled multiple-instance InfoNCE, both directions."""
        visual_map, audio_embedding = self.extract_feats(inputs)
        return dict(loss=self.loss_module(visual_map, audio_embedding))

    def predict_maps(self, frames: torch.Tensor, spectrogram: torch.Tensor) -> torch.Tensor:
        """``(B, 3, 224, 224)`` and ``(B, 1, 257, T)`` -> ``<v_n, a_n> / tau``
        ``(B, 7, 7)`` (the published ``model(image, spec)[1]``)."""
        return self.own_similarity_map(self.extract_visual_feat(frames),
                                       self.extract_audio_feat(spectrogram))

    def fuse(self, av_maps: torch.Tensor, object_maps: torch.Tensor):
        """The published test.py's ``pred_av_obj``: ``minmax(alpha * minmax(av)
        + (1 - alpha) * minmax(obj))`` of the maps upsampled to ``size``."""
        cfg = self.test_cfg
        return relative_fusion(av_maps, object_maps, alpha=cfg['alpha'], size=cfg['size'],
                               av_mode=cfg['av_interpolation'],
                               av_align_corners=cfg['av_align_corners']), None
