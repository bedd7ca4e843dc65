"""The audio ResNet-18 of EZ-VSL, SLAVC and FNAC."""
import torch
import torch.nn as nn

from sspl.registry import MODELS
from .resnet18 import ResNet18


@MODELS.register_module()
class AudioResNet18(ResNet18):
    """ResNet-18 on a one-channel log spectrogram, max-pooled to a vector.

    ``(B, 1, 257, T)`` -> ``(B, 8 * base_channels)`` (``(B, 512)``): torchvision's
    resnet18 with ``conv1 = Conv2d(1, 64, 7, stride 2, padding 3, no bias)``,
    the average pool replaced by a global max pool and no classifier, as the
    published ``audnet``. State-dict keys as torchvision's.

    Initialisation (``pretrained=None``, no ``init_cfg``), as published:
    convolutions He-normal (fan-out, ReLU gain), batch-norm weights
    ``N(1, 0.02)`` and biases 0.

    Args: see :class:`ResNet18` (``in_channels`` defaults to 1).
    """

    def __init__(self, in_channels: int = 1, **kwargs):
        super().__init__(in_channels=in_channels, **kwargs)
        self.pool = nn.AdaptiveMaxPool2d((1, 1))

    def reset_parameters(self) -> None:
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode='fan_out', nonlinearity='relu')
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.normal_(module.weight, mean=1, std=0.02)
                nn.init.constant_(module.bias, 0)

    def forward(self, spectrogram: torch.Tensor) -> torch.Tensor:
        """``(B, 1, 257, T)`` -> ``(B, 512)`` (defaults)."""
        # (pooled in the layers' memory format: no copy of the map first)
        return self.pool(self.encode(spectrogram)).flatten(1)
