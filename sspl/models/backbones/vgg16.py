"""VGG16 visual backbone: torchvision's ``vgg16().features[:29]`` (up to conv5_3)."""
from typing import Optional

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import BaseModule
from mmengine.model.weight_init import kaiming_init

from sspl.registry import MODELS
from sspl.utils.checkpoint import (CheckpointError, get_state_dict, load_weights_strict,
                                   safe_load)

# torchvision's configuration "D" (VGG16), one list per stage; a max-pool sits
# between consecutive stages (not after the last one).
VGG16_STAGES = ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512))


@MODELS.register_module()
class VGG16(BaseModule):
    """VGG16 features ``torchvision.models.vgg16().features[:29]``.

    Note that ``features[:29]`` ends with the conv5_3 convolution itself: the
    ReLU after it is ``features[29]`` and is not applied (the paper and its
    descriptions say "conv5_3 + ReLU"; the published code and its numbers, which
    ``../shared/parity`` pins, have no final ReLU). Every other conv is followed
    by its ReLU.

    With the defaults, ``(B, 3, 224, 224)`` frames give a ``(B, 512, 14, 14)`` map
    and the state dict has torchvision's keys (``features.0.weight`` ...
    ``features.28.bias``), so torchvision and published ``frame_best.pth`` weights
    load unchanged.

    Args:
        num_stages: how many of the 5 VGG16 stages to keep (max-pools between them).
            The output stride is ``2 ** (num_stages - 1)``.
        width_mult: channel multiplier (1.0 is VGG16). Quick configs shrink it.
        frozen: keep the parameters fixed (``requires_grad=False``) and the module
            in eval mode; the published SSPL never updates VGG16.
        pretrained: ``None`` (random init), ``'torchvision'`` (ImageNet weights,
            downloaded by torchvision into its cache), or the path of a
            torchvision-layout state dict (e.g. ``vgg16-397923af.pth``); keys
            outside ``features.*`` (the classifier) are ignored.
        channels_last: run the convolutions in the channels-last memory format
            (weights and input; the output map is returned contiguous). Same
            numbers within float32 rounding; faster on CPUs with oneDNN (about
            1.2-1.5x for VGG16 on an AVX2 CPU) and for mixed precision on GPUs
            (see docs/benchmark.md).
        init_cfg: mmengine init config, used when ``pretrained`` is None.
    """

    def __init__(self,
                 num_stages: int = 5,
                 width_mult: float = 1.0,
                 frozen: bool = True,
                 pretrained: Optional[str] = None,
                 channels_last: bool = False,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if not 1 <= num_stages <= 5:
            raise ValueError(f'VGG16: num_stages must be in 1..5, got {num_stages}')
        self.num_stages = num_stages
        self.width_mult = width_mult
        self.frozen = frozen
        self.pretrained = pretrained
        self.channels_last = channels_last
        layers = []
        in_channels = 3
        for stage_index, stage in enumerate(VGG16_STAGES[:num_stages]):
            if stage_index > 0:
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            for channels in stage:
                channels = max(1, int(round(channels * width_mult)))
                layers += [nn.Conv2d(in_channels, channels, kernel_size=3, padding=1),
                           nn.ReLU(inplace=True)]
                in_channels = channels
        self.features = nn.Sequential(*layers[:-1])  # no ReLU after the last conv
        self.out_channels = in_channels
        if frozen:
            self._freeze()
        self._apply_memory_format()

    def _apply_memory_format(self) -> None:
        if self.channels_last:
            self.features.to(memory_format=torch.channels_last)

    def _freeze(self) -> None:
        self.features.eval()
        for param in self.features.parameters():
            param.requires_grad = False

    def train(self, mode: bool = True):
        super().train(mode)
        if self.frozen:
            self.features.eval()
        return self

    def init_weights(self) -> None:
        if self.pretrained is None:
            if self.init_cfg is None:  # torchvision's VGG initialisation
                for module in self.features.modules():
                    if isinstance(module, nn.Conv2d):
                        kaiming_init(module, mode='fan_out')
            super().init_weights()
            return
        if self.pretrained == 'torchvision':
            state_dict = self._download_imagenet_weights()
            source = 'torchvision VGG16_Weights.IMAGENET1K_V1'
        else:
            state_dict = get_state_dict(safe_load(self.pretrained), self.pretrained)
            source = self.pretrained
        # Keys as in torchvision (features.0.weight ...); a file with none of
        # them is reported with all its keys, so the error names what it holds.
        own_keys = self.state_dict().keys()
        features = {k: v for k, v in state_dict.items() if k in own_keys} or dict(state_dict)
        load_weights_strict(self, features, source,
                            f'VGG16 features ({self.num_stages} stages, width x{self.width_mult})')
        # (load_state_dict copies in place: the frozen flags and the
        # channels-last layout set in __init__ stay.)
        print_log(f'VGG16: loaded pretrained weights from {source}', logger='current')

    @staticmethod
    def _download_imagenet_weights():
        from torchvision.models import VGG16_Weights
        try:
            return VGG16_Weights.IMAGENET1K_V1.get_state_dict(progress=True, check_hash=True)
        except Exception as exc:  # no network, proxy, disk full ...
            raise CheckpointError(
                'VGG16: could not download the ImageNet weights through torchvision '
                f'({exc}). Download vgg16-397923af.pth on a machine with internet and '
                'set model.visual_backbone.pretrained to its path, or set it to None '
                'to start from random weights.') from exc

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """``(B, 3, H, W)`` normalised frames -> ``(B, C, H / s, W / s)`` feature map
        (``(B, 512, 14, 14)`` for 224 x 224 input with the defaults)."""
        if self.channels_last:
            frames = frames.contiguous(memory_format=torch.channels_last)
        if self.frozen:
            with torch.no_grad():
                feature_map = self.features(frames)
        else:
            feature_map = self.features(frames)
        # Contiguous (NCHW) for what follows: the PCM is slower channels-last on CPU.
        return feature_map.contiguous() if self.channels_last else feature_map
