"""ResNet-18 image encoder in torchvision's layout, returning its last feature map."""
from typing import Optional

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import BaseModule
from torchvision.models.resnet import BasicBlock, conv1x1

from sspl.registry import MODELS
from sspl.utils.checkpoint import (CheckpointError, get_state_dict, load_weights_strict,
                                   safe_load)


@MODELS.register_module()
class ResNet18(BaseModule):
    """torchvision's ``resnet18`` without its average pool and classifier.

    ``(B, C_in, H, W)`` -> the ``layer4`` map ``(B, 8 * base_channels, H / 32,
    W / 32)``: ``(B, 512, 7, 7)`` for 224 x 224 frames with the defaults, the
    map EZ-VSL, SLAVC and FNAC project (the published ``imgnet(image)``
    flattened and unflattened again is this map). The state dict has
    torchvision's keys (``conv1.weight``, ``bn1.*``, ``layer1.0.conv1.weight``
    ... ``layer4.1.bn2.*``), so torchvision files load unchanged.

    Args:
        in_channels: input channels (3 for RGB frames).
        base_channels: width of the first stage (64 is ResNet-18; the stages
            have 1, 2, 4, 8 times it). Small configs shrink it.
        pretrained: ``None`` (random init), ``'torchvision'`` (ImageNet
            ``ResNet18_Weights.IMAGENET1K_V1``, i.e. ``resnet18-f37072fd.pth``,
            the published ``resnet18(pretrained=True)``; downloaded into
            torchvision's cache), or the path of a torchvision-layout state
            dict (``fc.*`` ignored). Loaded by :meth:`init_weights`.
        frozen: keep the parameters fixed and the batch norms in eval mode
            (the published methods fine-tune the whole encoder: False).
        channels_last: run the layers in the channels-last memory format
            (weights and input; the output is returned contiguous, NCHW).
            Same numbers within float32 rounding (the parity tests hold with
            it); faster with oneDNN on CPUs (forward + backward at batch 8
            on an AVX-512 CPU: 1.3x for the image encoder, 1.25x for the
            audio one, whose NCHW max pool is slow) and for mixed precision
            on GPUs (docs/benchmark.md).
        init_cfg: mmengine init config, used when ``pretrained`` is None
            (default: torchvision's initialisation).
    """

    def __init__(self,
                 in_channels: int = 3,
                 base_channels: int = 64,
                 pretrained: Optional[str] = None,
                 frozen: bool = False,
                 channels_last: bool = False,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.channels_last = channels_last
        self.base_channels = base_channels
        self.pretrained = pretrained
        self.frozen = frozen
        self.conv1 = nn.Conv2d(in_channels, base_channels, kernel_size=7, stride=2, padding=3,
                               bias=False)
        self.bn1 = nn.BatchNorm2d(base_channels)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self._inplanes = base_channels
        self.layer1 = self._make_layer(base_channels, stride=1)
        self.layer2 = self._make_layer(base_channels * 2, stride=2)
        self.layer3 = self._make_layer(base_channels * 4, stride=2)
        self.layer4 = self._make_layer(base_channels * 8, stride=2)
        self.out_channels = base_channels * 8
        if frozen:
            self._freeze()
        if channels_last:
            # (load_state_dict copies in place: the layout survives weight loading)
            self.to(memory_format=torch.channels_last)

    def _make_layer(self, planes: int, stride: int) -> nn.Sequential:
        downsample = None
        if stride != 1 or self._inplanes != planes:
            downsample = nn.Sequential(conv1x1(self._inplanes, planes, stride),
                                       nn.BatchNorm2d(planes))
        blocks = [BasicBlock(self._inplanes, planes, stride, downsample),
                  BasicBlock(planes, planes)]
        self._inplanes = planes
        return nn.Sequential(*blocks)

    # ------------------------------------------------------------ state
    def _freeze(self) -> None:
        self.eval()
        for param in self.parameters():
            param.requires_grad = False

    def train(self, mode: bool = True):
        super().train(mode and not self.frozen)
        return self

    def reset_parameters(self) -> None:
        """torchvision's initialisation: He (fan-out) convolutions, unit batch norms."""
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode='fan_out', nonlinearity='relu')
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.constant_(module.weight, 1)
                nn.init.constant_(module.bias, 0)

    def init_weights(self) -> None:
        if self.pretrained is None:
            if self.init_cfg is None:
                self.reset_parameters()
            else:
                super().init_weights()
            return
        state_dict, source = self.read_pretrained(self.pretrained)
        own_keys = self.state_dict().keys()
        # keys as in torchvision; a file with none of them is reported with all
        # its keys, so the error names what it holds
        weights = {k: v for k, v in state_dict.items() if k in own_keys} or dict(state_dict)
        load_weights_strict(self, weights, source,
                            f'{type(self).__name__} (in_channels={self.in_channels}, '
                            f'base_channels={self.base_channels})')
        print_log(f'{type(self).__name__}: loaded pretrained weights from {source}',
                  logger='current')

    @staticmethod
    def read_pretrained(pretrained: str):
        """``(state_dict, source)`` of ``'torchvision'`` or a file path (read
        safely: ``weights_only``)."""
        if pretrained == 'torchvision':
            from torchvision.models import ResNet18_Weights
            try:
                state_dict = ResNet18_Weights.IMAGENET1K_V1.get_state_dict(progress=True,
                                                                           check_hash=True)
            except Exception as exc:  # no network, proxy, disk full ...
                raise CheckpointError(
                    'ResNet18: could not download the ImageNet weights through torchvision '
                    f'({exc}). Download resnet18-f37072fd.pth on a machine with internet '
                    'and set pretrained to its path, or to None for random weights.') from exc
            return state_dict, 'torchvision ResNet18_Weights.IMAGENET1K_V1'
        return get_state_dict(safe_load(pretrained), pretrained), pretrained

    # ------------------------------------------------------------ forward
    def forward_features(self, inputs: torch.Tensor) -> torch.Tensor:
        """``(B, C_in, H, W)`` -> ``layer4`` map ``(B, C, H / 32, W / 32)``."""
        if self.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        x = self.maxpool(self.relu(self.bn1(self.conv1(inputs))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))

    def encode(self, inputs: torch.Tensor) -> torch.Tensor:
        """The ``layer4`` map in the layers' memory format (channels-last with
        ``channels_last``), without gradients when ``frozen``."""
        if self.frozen:
            with torch.no_grad():
                return self.forward_features(inputs)
        return self.forward_features(inputs)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """``(B, 3, 224, 224)`` normalised frames -> ``(B, 512, 7, 7)`` (defaults), NCHW."""
        feature_map = self.encode(inputs)
        return feature_map.contiguous() if self.channels_last else feature_map
