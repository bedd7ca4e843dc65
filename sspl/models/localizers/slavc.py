"""SLAVC: A Closer Look at Weakly-Supervised Audio-Visual Source Localization
(Mo & Morgado, NeurIPS 2022)."""
import copy
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn

from sspl.registry import MODELS
from .base_contrastive import BaseContrastiveLocalizer
from ..heads.object_prior import fixed_bound_scores, top_quarter_confidence, upsample_maps

#: the online parts and their momentum copies, in the published order
ONLINE_PARTS = ('visual_backbone', 'visual_proj1', 'visual_proj2',
                'audio_backbone', 'audio_proj1', 'audio_proj2')


@MODELS.register_module()
class SLAVC(BaseContrastiveLocalizer):
    """Two projection heads per modality matched against momentum targets.

    1. online features: ResNet-18 maps / max-pooled audio vectors, dropout
       (images 0.9 in the published script, audio 0), then two projection
       heads each: ``v1, v2`` ``(B, 512, 7, 7)`` and ``a1, a2`` ``(B, 512)``,
       unit norm;
    2. momentum update (every training forward, after the online pass):
       every momentum parameter ``p_m <- m * p_m + (1 - m) * p`` (m = 0.999;
       parameters only: the momentum nets' batch norms keep their own running
       statistics, updated by their train-mode forward);
    3. targets ``v1', v2', a1', a2'``: the momentum nets (same dropout
       modules), without gradient;
    4. loss: :class:`~sspl.models.losses.SLAVCLoss` of online images vs target
       audio and target images vs online audio;
    5. map: ``(<v1, a1> + <v2, a2>) / (2 tau)`` ``(B, 7, 7)`` of the online
       features (``test_cfg.use_momentum_features``: of the targets, as the
       published train.py's validation);
    6. confidence (``pred_score``): the mean of the largest quarter of the
       scores ``(map + 1/tau) / (2/tau)`` upsampled to 224 (bicubic,
       ``align_corners=True``), as the published test.py.

    The momentum networks are part of the model's state (checkpointed with
    it, so a resumed run continues them exactly); they are copies of the
    online networks after :meth:`init_weights`.

    Args:
        visual_backbone, audio_backbone: encoders (ResNet18, AudioResNet18).
        visual_proj: config of each image head (ConvProjection), built twice.
        audio_proj: config of each audio head (LinearProjection), built twice.
        loss: the loss (``SLAVCLoss``; ``tau`` is the localizer's).
        tau: temperature (0.03).
        visual_dropout, audio_dropout: dropout before the heads (0.9, 0).
        visual_momentum, audio_momentum: EMA factors ``m`` (0.999, 0.999).
        data_preprocessor, init_cfg: see :class:`BaseContrastiveLocalizer`.
        test_cfg: the common options with ``alpha`` 0.9, and
            ``use_momentum_features`` (False), ``interpolation`` /
            ``align_corners`` of the upsampling (bicubic, True),
            ``av_bounds`` (``(-1/tau, 1/tau)`` when None) and
            ``object_bounds`` ((0, 2.5)) of the scores.
    """

    #: parameters updated without gradients (the momentum networks): neither
    #: trained by the optimizer nor frozen
    ema_parameter_prefixes = ('momentum_',)
    extra_test_cfg = dict(use_momentum_features=False, interpolation='bicubic',
                          align_corners=True, av_bounds=None, object_bounds=(0.0, 2.5))

    def __init__(self,
                 visual_backbone: Dict,
                 audio_backbone: Dict,
                 visual_proj: Dict,
                 audio_proj: Dict,
                 loss: Optional[Dict] = None,
                 tau: float = 0.03,
                 visual_dropout: float = 0.9,
                 audio_dropout: float = 0.0,
                 visual_momentum: float = 0.999,
                 audio_momentum: float = 0.999,
                 data_preprocessor: Optional[Dict] = None,
                 test_cfg: Optional[Dict] = None,
                 init_cfg=None):
        test_cfg = dict(test_cfg or {})
        test_cfg.setdefault('alpha', 0.9)
        super().__init__(tau=tau, data_preprocessor=data_preprocessor, test_cfg=test_cfg,
                         init_cfg=init_cfg)
        self.visual_backbone = MODELS.build(visual_backbone)
        self.visual_proj1 = MODELS.build(visual_proj)
        self.visual_proj2 = MODELS.build(visual_proj)
        self.audio_backbone = MODELS.build(audio_backbone)
        self.audio_proj1 = MODELS.build(audio_proj)
        self.audio_proj2 = MODELS.build(audio_proj)
        self.visual_dropout = nn.Dropout(visual_dropout) if visual_dropout else nn.Identity()
        self.audio_dropout = nn.Dropout(audio_dropout) if audio_dropout else nn.Identity()
        self.visual_momentum = visual_momentum
        self.audio_momentum = audio_momentum
        for name in ONLINE_PARTS:
            momentum_part = copy.deepcopy(getattr(self, name))
            # (ImageNet weights arrive through the copy in init_weights, not a
            # second download)
            if hasattr(momentum_part, 'pretrained'):
                momentum_part.pretrained = None
            for param in momentum_part.parameters():
                param.requires_grad = False
            setattr(self, f'momentum_{name}', momentum_part)
        self.loss_module = self.build_loss(loss or dict(type='SLAVCLoss'))

    def init_weights(self) -> None:
        """Initialise the online networks, then copy them into the momentum
        networks (parameters and batch-norm statistics, as the published
        construction: the same ImageNet / fresh statistics on both sides)."""
        super().init_weights()
        with torch.no_grad():
            for name in ONLINE_PARTS:
                getattr(self, f'momentum_{name}').load_state_dict(getattr(self, name).state_dict())

    # ------------------------------------------------------------ parts
    def _parts(self, momentum: bool):
        prefix = 'momentum_' if momentum else ''
        return [getattr(self, prefix + name) for name in ONLINE_PARTS]

    def extract_visual_feat(self, frames: torch.Tensor, momentum: bool = False
                            ) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(B, 3, 224, 224)`` -> the two heads' unit-norm maps ``(B, 512, 7, 7)``."""
        backbone, proj1, proj2 = self._parts(momentum)[:3]
        feature_map = self.visual_dropout(backbone(frames))
        return proj1(feature_map), proj2(feature_map)

    def extract_audio_feat(self, spectrogram: torch.Tensor, momentum: bool = False
                           ) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(B, 1, 257, T)`` -> the two heads' unit-norm embeddings ``(B, 512)``."""
        backbone, proj1, proj2 = self._parts(momentum)[3:]
        features = self.audio_dropout(backbone(spectrogram))
        return proj1(features), proj2(features)

    @torch.no_grad()
    def momentum_update(self) -> None:
        """``p_m <- m * p_m + (1 - m) * p`` for every momentum parameter, in
        multi-tensor passes per modality (``torch._foreach_*``: the same
        three roundings as the published per-parameter loop, without a kernel
        launch and a copy per parameter). Parts are paired as the published
        ``zip`` pairs them: a part without parameters on either side (the
        benchmark's stand-in for an encoder) is left out."""
        for factor, prefix in ((self.visual_momentum, 'visual'), (self.audio_momentum, 'audio')):
            online, target = [], []
            for name in ONLINE_PARTS:
                if name.startswith(prefix):
                    pairs = list(zip(getattr(self, name).parameters(),
                                     getattr(self, f'momentum_{name}').parameters()))
                    online += [param for param, _ in pairs]
                    target += [momentum_param for _, momentum_param in pairs]
            if not target:
                continue
            torch._foreach_mul_(target, factor)
            torch._foreach_add_(target, torch._foreach_mul(online, 1. - factor))

    def map_from(self, visual_maps, audio_embeddings) -> torch.Tensor:
        """``(S1 + S2) / 2`` of the two heads ``(B, 7, 7)``."""
        return (self.own_similarity_map(visual_maps[0], audio_embeddings[0]) +
                self.own_similarity_map(visual_maps[1], audio_embeddings[1])) / 2

    def forward_train(self, frames: torch.Tensor, spectrogram: torch.Tensor,
                      update_momentum: bool = True) -> Dict:
        """Online features, momentum update (``update_momentum``), targets and
        loss: ``dict(visual_maps, audio_embeddings, target_visual_maps,
        target_audio_embeddings, loss, a2i, i2a)``."""
        visual_maps = self.extract_visual_feat(frames)
        audio_embeddings = self.extract_audio_feat(spectrogram)
        with torch.no_grad():
            if update_momentum:
                self.momentum_update()
            target_visual_maps = self.extract_visual_feat(frames, momentum=True)
            target_audio_embeddings = self.extract_audio_feat(spectrogram, momentum=True)
        out = self.loss_module(visual_maps, audio_embeddings, target_visual_maps,
                               target_audio_embeddings)
        out.update(visual_maps=visual_maps, audio_embeddings=audio_embeddings,
                   target_visual_maps=target_visual_maps,
                   target_audio_embeddings=target_audio_embeddings)
        return out

    # ------------------------------------------------------------ modes
    def loss(self, inputs: Dict, data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        """Online vs momentum-target matching; one momentum update per call."""
        out = self.forward_train(self.first_view(inputs), inputs['spectrogram'])
        return dict(loss=out['loss'])

    def predict_maps(self, frames: torch.Tensor, spectrogram: torch.Tensor) -> torch.Tensor:
        """``(B, 3, 224, 224)`` and ``(B, 1, 257, T)`` -> ``(S1 + S2) / 2``
        ``(B, 7, 7)`` in logit units (the published ``model(image, spec,
        mode='test')[1]``)."""
        momentum = self.test_cfg['use_momentum_features']
        return self.map_from(self.extract_visual_feat(frames, momentum),
                             self.extract_audio_feat(spectrogram, momentum))

    @property
    def av_bounds(self) -> Tuple[float, float]:
        bounds = self.test_cfg['av_bounds']
        return tuple(bounds) if bounds is not None else (-1. / self.tau, 1. / self.tau)

    def upsample(self, maps: torch.Tensor) -> torch.Tensor:
        cfg = self.test_cfg
        return upsample_maps(maps, cfg['size'], cfg['interpolation'], cfg['align_corners'])

    def av_maps_and_scores(self, frames: torch.Tensor, spectrogram: torch.Tensor):
        """Raw maps ``(B, 7, 7)`` and confidences ``(B,)`` in [0, 1]."""
        av_maps = self.predict_maps(frames, spectrogram)
        scores = fixed_bound_scores(self.upsample(av_maps), self.av_bounds)
        return av_maps, top_quarter_confidence(scores)

    def fuse(self, av_maps: torch.Tensor, object_maps: torch.Tensor):
        """The published test.py's ``scores_av_obj`` ``(B, size, size)``:
        ``alpha * scores_av + (1 - alpha) * scores_obj`` with fixed bounds, and
        its confidence."""
        alpha = self.test_cfg['alpha']
        fused = (fixed_bound_scores(self.upsample(av_maps), self.av_bounds) * alpha +
                 fixed_bound_scores(self.upsample(object_maps), self.test_cfg['object_bounds'])
                 * (1 - alpha))
        return fused, top_quarter_confidence(fused)
