"""The centre-prior baseline: a fixed, centred map for every sample."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from sspl.registry import MODELS
from .base import BaseLocalizer


def gaussian_center_map(map_size: Sequence[int], sigma: float) -> np.ndarray:
    """``(h, w)`` float32 Gaussian centred in the map; ``sigma`` is a fraction
    of the map side, positions are cell centres in ``[-0.5, 0.5]``
    (the same map as :func:`sspl.evaluation.functional.center_prior_map`)."""
    height, width = (int(side) for side in map_size)
    ys = (np.arange(height) + 0.5) / height - 0.5
    xs = (np.arange(width) + 0.5) / width - 0.5
    return np.exp(-(ys[:, None] ** 2 + xs[None, :] ** 2) / (2 * sigma ** 2)).astype(np.float32)


@MODELS.register_module()
class CenterPriorLocalizer(BaseLocalizer):
    """Predicts the same centred Gaussian map for every sample, whatever the
    frame and the audio: the baseline a localizer that learnt something
    beats (most sound sources of the benchmarks are near the centre).

    Parameter-free: nothing to train, nothing in its checkpoint (an empty
    state dict). Evaluate it with ``tools/test.py configs/baselines/...``
    (no checkpoint needed); :meth:`loss` raises, so ``tools/train.py`` on it
    stops at the first step with that message.

    Args:
        map_size: ``(h, w)`` of the predicted map: the resolution of the
            localizer it is compared with (``(14, 14)``: SSPL's VGG16 map at
            224 px), since the metrics upsample the map to the frame.
        sigma: standard deviation of the Gaussian, a fraction of the map side.
        data_preprocessor: config of the data preprocessor (default
            ``AVDataPreprocessor`` without audio front end: the audio is
            read by no one).

    Reads no audio (:attr:`audio_keys` is empty) and defines no ``pred_score``.
    """

    audio_keys = ()

    def __init__(self, map_size: Sequence[int] = (14, 14), sigma: float = 0.25,
                 data_preprocessor: Optional[Dict] = None, init_cfg=None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='AVDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if len(map_size) != 2 or min(map_size) < 1:
            raise ValueError(f'CenterPriorLocalizer: map_size must be (h, w) >= 1, '
                             f'got {map_size!r}')
        if not sigma > 0:
            raise ValueError(f'CenterPriorLocalizer: sigma must be > 0, got {sigma!r}')
        self.map_size = tuple(int(side) for side in map_size)
        self.sigma = float(sigma)
        # Not persistent: computed from the config, so the checkpoint is empty.
        self.register_buffer('prior_map',
                             torch.from_numpy(gaussian_center_map(self.map_size, self.sigma)),
                             persistent=False)

    def loss(self, inputs: Dict, data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        """The centre prior does not train: always a :class:`RuntimeError`."""
        raise RuntimeError('CenterPriorLocalizer has no parameters and does not train; '
                           'evaluate it with tools/test.py CONFIG (configs/baselines/, no '
                           'checkpoint needed)')

    def predict_maps(self, frames: torch.Tensor, **audio: torch.Tensor) -> torch.Tensor:
        """``frames (B, 3, H, W)`` -> the prior ``(B, h, w)`` (``map_size``),
        the same for every sample."""
        return self.prior_map.expand(frames.shape[0], *self.map_size)
