"""VGGish audio backbone (AudioSet), with the TensorFlow flattening order."""
import hashlib
from typing import Optional

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import BaseModule
from mmengine.model.weight_init import kaiming_init

from sspl.registry import MODELS
from sspl.utils.checkpoint import get_state_dict, load_weights_strict, safe_load

VGGISH_CONV_STAGES = ((64,), (128,), (256, 256), (512, 512))


@MODELS.register_module()
class VGGish(BaseModule):
    """VGGish: 4 conv stages (64-128-256x2-512x2, a max-pool after each) and the
    fully connected embedding 12288-4096-4096-128, ReLU after every layer
    (including the last, as in the published torchvggish port).

    Input ``(N, 1, 96, 64)`` log-mel examples (0.96 s each); output ``(N, 128)``.
    Before the fully connected layers the ``(N, 512, 6, 4)`` map is permuted to
    ``(N, 6, 4, 512)`` and flattened, the ordering of the TensorFlow original.
    Keys ``features.*`` and ``embeddings.*`` match ``vggish-10086976.pth``.

    Args:
        width_mult: multiplier of the conv channels (1.0 is VGGish).
        hidden_dim: width of the two hidden fully connected layers (4096).
        embedding_dim: output size (128).
        frozen: fix the parameters and keep eval mode (the published default).
        pretrained: path of a ``vggish-10086976.pth``-layout state dict, or None.
        channels_last: run the convolutions in the channels-last memory format
            (same numbers within float32 rounding; faster on oneDNN CPUs).
    """

    def __init__(self,
                 width_mult: float = 1.0,
                 hidden_dim: int = 4096,
                 embedding_dim: int = 128,
                 frozen: bool = True,
                 pretrained: Optional[str] = None,
                 channels_last: bool = False,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.frozen = frozen
        self.channels_last = channels_last
        self._fingerprint: Optional[str] = None
        self.pretrained = pretrained
        self.embedding_dim = embedding_dim
        layers = []
        in_channels = 1
        for stage in VGGISH_CONV_STAGES:
            for channels in stage:
                channels = max(1, int(round(channels * width_mult)))
                layers += [nn.Conv2d(in_channels, channels, kernel_size=3, padding=1),
                           nn.ReLU(inplace=True)]
                in_channels = channels
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        self.features = nn.Sequential(*layers)
        self.embeddings = nn.Sequential(
            nn.Linear(in_channels * 6 * 4, hidden_dim), nn.ReLU(inplace=True),
            nn.Linear(hidden_dim, hidden_dim), nn.ReLU(inplace=True),
            nn.Linear(hidden_dim, embedding_dim), nn.ReLU(inplace=True))
        if frozen:
            self._freeze()
        if channels_last:
            self.features.to(memory_format=torch.channels_last)

    def _freeze(self) -> None:
        self.eval()
        for param in self.parameters():
            param.requires_grad = False

    def train(self, mode: bool = True):
        super().train(mode and not self.frozen)
        return self

    def weights_fingerprint(self) -> str:
        """SHA-256 of the weights (names, shapes and float32 values), the key
        under which cached embeddings of these weights are stored
        (:class:`sspl.datasets.transforms.LoadVGGishEmbedding`). Computed once
        and reset whenever weights are loaded or initialised."""
        if self._fingerprint is None:
            digest = hashlib.sha256()
            for name, tensor in sorted(self.state_dict().items()):
                tensor = tensor.detach().to('cpu', torch.float32).contiguous()
                digest.update(f'{name}:{tuple(tensor.shape)};'.encode())
                digest.update(tensor.numpy().tobytes())
            self._fingerprint = digest.hexdigest()
        return self._fingerprint

    def _load_from_state_dict(self, *args, **kwargs):
        self._fingerprint = None
        super()._load_from_state_dict(*args, **kwargs)

    def init_weights(self) -> None:
        self._fingerprint = None
        if self.pretrained is None:
            if self.init_cfg is None:
                # He initialisation: PyTorch's default init shrinks the signal
                # through the 9 layers until all clips embed alike (the
                # embeddings of a randomly initialised VGGish would carry
                # almost no information about the sound).
                for module in self.modules():
                    if isinstance(module, nn.Conv2d):
                        kaiming_init(module, mode='fan_out')
                    elif isinstance(module, nn.Linear):
                        kaiming_init(module, mode='fan_in')
            super().init_weights()
            return
        state_dict = get_state_dict(safe_load(self.pretrained), self.pretrained)
        state_dict = {k: v for k, v in state_dict.items()
                      if k.startswith(('features.', 'embeddings.'))} or state_dict
        load_weights_strict(self, state_dict, self.pretrained, 'VGGish (features.*, embeddings.*)')
        print_log(f'VGGish: loaded pretrained weights from {self.pretrained}', logger='current')
        if self.frozen:
            self._freeze()

    def forward(self, log_mel_examples: torch.Tensor) -> torch.Tensor:
        """``(N, 1, 96, 64)`` log-mel examples -> ``(N, embedding_dim)`` embeddings."""
        if self.frozen:
            with torch.no_grad():
                return self._embed(log_mel_examples)
        return self._embed(log_mel_examples)

    def _embed(self, log_mel_examples: torch.Tensor) -> torch.Tensor:
        if self.channels_last:
            log_mel_examples = log_mel_examples.contiguous(memory_format=torch.channels_last)
        conv_map = self.features(log_mel_examples)             # (N, 512, 6, 4)
        conv_map = conv_map.permute(0, 2, 3, 1).contiguous()   # (N, 6, 4, 512): TF order
        return self.embeddings(conv_map.flatten(1))
