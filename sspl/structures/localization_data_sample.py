"""Data sample of one audio-visual clip: ground truth and prediction."""
from typing import Union

import numpy as np
import torch
from mmengine.structures import BaseDataElement

MapLike = Union[torch.Tensor, np.ndarray]


def format_map(value: MapLike, name: str) -> torch.Tensor:
    """A 2-D map as a float tensor ``(h, w)``; anything else is an error that
    names the field."""
    if isinstance(value, np.ndarray):
        value = torch.from_numpy(value)
    if not isinstance(value, torch.Tensor):
        raise TypeError(f'LocalizationDataSample.{name}: expected a tensor or array, '
                        f'got {type(value).__name__}')
    if value.dim() != 2:
        raise ValueError(f'LocalizationDataSample.{name}: expected a (h, w) map, '
                         f'got shape {tuple(value.shape)}')
    return value if value.is_floating_point() else value.float()


def format_score(value: Union[float, torch.Tensor, np.ndarray]) -> torch.Tensor:
    """A per-sample confidence as a 0-d float tensor."""
    value = torch.as_tensor(value)
    if value.numel() != 1:
        raise ValueError(f'LocalizationDataSample.pred_score: expected one value per sample, '
                         f'got shape {tuple(value.shape)}')
    value = value.reshape(())
    return value if value.is_floating_point() else value.float()


class LocalizationDataSample(BaseDataElement):
    """What travels with a sample besides the network inputs.

    Metainfo (set by the dataset and the transforms): ``sample_id``,
    ``frame_path``, ``audio_path``, ``ori_shape`` (H, W) of the loaded frame,
    ``img_shape`` (H, W) of the network input, ``gt_bboxes`` (N, 4) x0, y0, x1, y1
    in ``img_shape`` pixels, ``gt_map_mode`` (``'consensus'`` or ``'union'``).

    Data fields (typed properties: the setters convert arrays to tensors and
    refuse wrong shapes, naming the field):
        gt_map: ``(H, W)`` float tensor, the ground-truth map at ``img_shape``
            (consensus-weighted in [0, 1] for Flickr, binary otherwise).
        pred_sim_map: ``(h, w)`` float tensor, the localizer's raw map before
            any upsampling or normalisation (``(14, 14)`` cosines for SSPL,
            ``(7, 7)`` logits for the ResNet18 methods).
        pred_score: 0-d float tensor, the localizer's confidence that the clip
            has a visible sound source, where the method defines one (the
            negative-aware protocols read it); absent otherwise.
    """

    @property
    def gt_map(self) -> torch.Tensor:
        return self._gt_map

    @gt_map.setter
    def gt_map(self, value: MapLike) -> None:
        self.set_field(format_map(value, 'gt_map'), '_gt_map', dtype=torch.Tensor)

    @gt_map.deleter
    def gt_map(self) -> None:
        del self._gt_map

    @property
    def pred_sim_map(self) -> torch.Tensor:
        return self._pred_sim_map

    @pred_sim_map.setter
    def pred_sim_map(self, value: MapLike) -> None:
        self.set_field(format_map(value, 'pred_sim_map'), '_pred_sim_map', dtype=torch.Tensor)

    @pred_sim_map.deleter
    def pred_sim_map(self) -> None:
        del self._pred_sim_map

    @property
    def pred_score(self) -> torch.Tensor:
        return self._pred_score

    @pred_score.setter
    def pred_score(self, value) -> None:
        self.set_field(format_score(value), '_pred_score', dtype=torch.Tensor)

    @pred_score.deleter
    def pred_score(self) -> None:
        del self._pred_score
