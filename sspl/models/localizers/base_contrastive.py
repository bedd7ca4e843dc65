"""What EZ-VSL, SLAVC and FNAC share: spectrogram audio, ``cos / tau`` maps,
and the object-guided prior as a test-time option."""
import copy
from typing import Dict, Optional, Tuple

import torch

from sspl.registry import MODELS
from .base import BaseLocalizer

#: the test-time options every method of the family accepts (``test_cfg``)
COMMON_TEST_CFG = dict(
    # fuse the AV map with EZ-VSL's object-guided prior (the published test.py's
    # "AV_Obj" / "AV+OGL" map); pred_sim_map is then the fused (size x size) map
    fuse_object_prior=False,
    # the prior's network: a second, frozen ImageNet ResNet-18
    object_prior=dict(type='ObjectPrior', backbone=dict(type='ResNet18', pretrained='torchvision')),
    alpha=0.4,      # weight of the AV map in the fusion
    size=224,       # resolution of the fused map
)


class BaseContrastiveLocalizer(BaseLocalizer):
    """Base of the localizers that compare a projected, unit-norm image map
    ``(B, C, h, w)`` with a unit-norm audio embedding ``(B, C)`` of a log
    spectrogram, trained contrastively with negatives from the batch.

    Raw map (:meth:`predict_maps`): ``<v(h, w), a> / tau`` per sample, in
    logit units (within ``+-1 / tau``). With ``test_cfg.fuse_object_prior``,
    :meth:`predict` writes the map fused with the object prior instead
    (:meth:`fuse`, the method's published rule) at ``test_cfg.size``.

    Args:
        tau: temperature of the maps and of the loss.
        data_preprocessor: default: frames normalised with ImageNet's
            statistics, and the log spectrogram computed on the device from a
            16 kHz ``waveform`` when the pipeline packs one.
        test_cfg: test-time options (:data:`COMMON_TEST_CFG` and the method's
            :attr:`extra_test_cfg`); unknown keys are refused.
    """

    audio_keys = ('spectrogram',)
    #: the method's own test-time options and defaults (on top of COMMON_TEST_CFG)
    extra_test_cfg: Dict = {}

    def __init__(self, tau: float = 0.03, data_preprocessor: Optional[dict] = None,
                 test_cfg: Optional[dict] = None, init_cfg=None):
        if data_preprocessor is None:
            data_preprocessor = dict(
                type='AVDataPreprocessor',
                audio_frontend=dict(type='LogSpectrogramFrontend', sample_rate=16000))
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.tau = tau
        defaults = copy.deepcopy({**COMMON_TEST_CFG, **self.extra_test_cfg})
        unknown = sorted(set(test_cfg or {}) - set(defaults))
        if unknown:
            raise ValueError(f'{type(self).__name__}: unknown test_cfg keys {unknown}; '
                             f'known: {sorted(defaults)}')
        defaults.update(copy.deepcopy(dict(test_cfg or {})))
        self.test_cfg = defaults
        # The prior is not part of the model's state: fixed ImageNet weights it
        # loads itself, in no checkpoint, never trained (kept out of the
        # module tree, moved to the frames' device and dtype when used).
        self._object_prior = ([MODELS.build(defaults['object_prior'])]
                              if defaults['fuse_object_prior'] else [])

    # ------------------------------------------------------------ parts
    def build_loss(self, loss: dict) -> torch.nn.Module:
        """The loss module of config ``loss``, with the localizer's ``tau``."""
        loss = dict(loss)
        if loss.setdefault('tau', self.tau) != self.tau:
            raise ValueError(f'{type(self).__name__}: loss.tau={loss["tau"]} differs from the '
                             f'maps\' tau={self.tau}; set only tau')
        return MODELS.build(loss)

    def own_similarity_map(self, visual_map: torch.Tensor, audio_embedding: torch.Tensor
                           ) -> torch.Tensor:
        """``(B, C, h, w)`` and ``(B, C)`` -> ``S[n] = <v_n, a_n> / tau`` ``(B, h, w)``."""
        return torch.einsum('nchw,nc->nhw', visual_map, audio_embedding) / self.tau

    @property
    def object_prior(self) -> Optional[torch.nn.Module]:
        """The :class:`~sspl.models.heads.ObjectPrior`, or None (no fusion)."""
        return self._object_prior[0] if self._object_prior else None

    def object_prior_maps(self, frames: torch.Tensor) -> torch.Tensor:
        """``(B, 3, H, W)`` -> the prior ``(B, h, w)``."""
        if self.object_prior is None:
            raise RuntimeError(f'{type(self).__name__}: no object prior (set '
                               'test_cfg.fuse_object_prior=True)')
        prior = self.object_prior.to(device=frames.device, dtype=frames.dtype)
        return prior(frames)

    # ------------------------------------------------------------ predict
    def av_maps_and_scores(self, frames: torch.Tensor, **audio: torch.Tensor
                           ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """The method's raw AV maps ``(B, h, w)`` and confidences (or None)."""
        return self.predict_maps(frames, **audio), None

    def fuse(self, av_maps: torch.Tensor, object_maps: torch.Tensor
             ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """Raw AV maps and prior maps ``(B, h, w)`` -> the fused map
        ``(B, size, size)`` and confidences (or None)."""
        raise NotImplementedError

    def predict_maps_and_scores(self, frames: torch.Tensor, **audio: torch.Tensor
                                ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        av_maps, scores = self.av_maps_and_scores(frames, **audio)
        if self.object_prior is None:
            return av_maps, scores
        return self.fuse(av_maps, self.object_prior_maps(frames))
