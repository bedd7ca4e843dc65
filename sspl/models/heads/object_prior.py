"""EZ-VSL's object-guided localisation (OGL): an ImageNet prior fused with the
audio-visual map at test time.

The prior is a second, frozen ImageNet ResNet-18: the mean over channels of
``|layer4 map|`` ``(B, 7, 7)``, large where ImageNet objects are. The fusion
rules of the published ``test.py`` files are the functions below:

- EZ-VSL and FNAC (:func:`relative_fusion`): both maps upsampled to 224 and
  min-max normalised, ``minmax(alpha * av + (1 - alpha) * obj)``, alpha 0.4;
- SLAVC (:func:`fixed_bound_scores` and :func:`top_quarter_confidence`): the
  maps become scores with fixed bounds (``(av + 1/tau) / (2/tau)``,
  ``obj / 2.5``), ``alpha * av + (1 - alpha) * obj`` with alpha 0.9, and the
  confidence is the mean of the largest quarter of the scores.
"""
from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from sspl.registry import MODELS


@MODELS.register_module()
class ObjectPrior(nn.Module):
    """``(B, 3, 224, 224)`` normalised frames -> prior map ``(B, 7, 7)``,
    ``mean_c |ResNet18(frames)_c|`` (the published ``object_saliency_model``).

    The weights are loaded when the prior is built (``backbone.pretrained``:
    ``'torchvision'`` downloads ImageNet's ``resnet18-f37072fd.pth``, or a
    path), so a checkpoint of the localizer never holds them.

    Args:
        backbone: config of the :class:`~sspl.models.backbones.ResNet18`.
    """

    def __init__(self, backbone: Optional[dict] = None):
        super().__init__()
        backbone = dict(backbone or dict(type='ResNet18', pretrained='torchvision'))
        if backbone.get('pretrained') is None:
            raise ValueError('ObjectPrior: backbone.pretrained must name ImageNet weights '
                             "('torchvision' or a resnet18 file); a random prior means nothing")
        backbone['frozen'] = True
        self.backbone = MODELS.build(backbone)
        self.backbone.init_weights()
        self.eval()

    def train(self, mode: bool = True):
        return super().train(False)

    @torch.no_grad()
    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        return self.backbone(frames).abs().mean(dim=1)


def upsample_maps(maps: torch.Tensor, size: int = 224, mode: str = 'bilinear',
                  align_corners: Optional[bool] = True) -> torch.Tensor:
    """``(B, h, w)`` -> ``(B, size, size)`` with ``F.interpolate``."""
    return F.interpolate(maps.unsqueeze(1), size=(size, size), mode=mode,
                         align_corners=align_corners)[:, 0]


def min_max_normalize(maps: torch.Tensor) -> torch.Tensor:
    """Per-sample ``(x - min) / (max - min)`` of ``(B, H, W)``; a constant map
    is left as it is (the published ``normalize_img``)."""
    low = maps.amin(dim=(1, 2), keepdim=True)
    span = maps.amax(dim=(1, 2), keepdim=True) - low
    return torch.where(span == 0, maps, (maps - low) / torch.where(span == 0, 1, span))


def relative_fusion(av_maps: torch.Tensor, object_maps: torch.Tensor, alpha: float = 0.4,
                    size: int = 224, av_mode: str = 'bilinear',
                    av_align_corners: Optional[bool] = True,
                    object_mode: str = 'bilinear',
                    object_align_corners: Optional[bool] = True) -> torch.Tensor:
    """EZ-VSL's / FNAC's fused map ``(B, size, size)`` in [0, 1]:
    ``minmax(alpha * minmax(up(av)) + (1 - alpha) * minmax(up(obj)))``."""
    av = min_max_normalize(upsample_maps(av_maps, size, av_mode, av_align_corners))
    obj = min_max_normalize(upsample_maps(object_maps, size, object_mode, object_align_corners))
    return min_max_normalize(av * alpha + obj * (1 - alpha))


def fixed_bound_scores(maps: torch.Tensor, bounds: Sequence[float]) -> torch.Tensor:
    """``(x - low) / (high - low)`` with fixed ``bounds = (low, high)``."""
    low, high = bounds
    return (maps - low) / (high - low)


def top_quarter_confidence(scores: torch.Tensor) -> torch.Tensor:
    """``(B, H, W)`` -> ``(B,)``: the mean of each map's largest quarter of
    values (SLAVC's confidence; ``sort(x)[-n // 4:]``, i.e. ``ceil(n / 4)`` values)."""
    flat = scores.flatten(1)
    count = -(-flat.shape[1] // 4)
    return flat.topk(count, dim=1, sorted=False).values.mean(dim=1)
