"""FNAC: Learning Audio-Visual Source Localization via False Negative Aware
Contrastive Learning (Sun et al., CVPR 2023)."""
from typing import Dict, List, Optional

import torch
from mmengine.logging import MessageHub

from sspl.registry import MODELS
from .ezvsl import EZVSL


@MODELS.register_module()
class FNAC(EZVSL):
    """EZ-VSL's model (with image dropout 0.9 before the projection in the
    published scripts) trained with EZ-VSL's loss plus three terms that
    suppress false negatives (audio-audio and image-image similarities as
    soft targets) and true negatives (foreground features), after a warm-up
    on the contrastive loss alone (:class:`~sspl.models.losses.FNACLoss`).

    The warm-up follows the runner's epoch: :meth:`loss` reads the current
    (0-based) epoch from mmengine's message hub (``'epoch'``, which the
    runner sets at the start of every epoch, also after a resume), so it
    needs no state of its own. Outside a runner the epoch is 0 unless set
    (``MessageHub.get_current_instance().update_info('epoch', n)``).

    Args: see :class:`EZVSL`; ``loss`` defaults to ``FNACLoss``.
    ``test_cfg.av_interpolation='bicubic', av_align_corners=False`` gives
    the published ``validate2`` fusion.
    """

    def __init__(self, *args, loss: Optional[Dict] = None, **kwargs):
        super().__init__(*args, loss=loss or dict(type='FNACLoss'), **kwargs)

    @staticmethod
    def current_epoch() -> int:
        """The runner's current (0-based) epoch, 0 outside a runner."""
        return int(MessageHub.get_current_instance().get_info('epoch', 0) or 0)

    def loss(self, inputs: Dict, data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        """EZ-VSL's loss, plus ``sum(w * (fns_audio, tns, fns_image))`` after
        the warm-up; the terms are logged (detached)."""
        visual_map, audio_embedding = self.extract_feats(inputs)
        terms = self.loss_module(visual_map, audio_embedding, epoch=self.current_epoch())
        return dict(loss=terms.pop('loss'),
                    **{name: value.detach() for name, value in terms.items()})
