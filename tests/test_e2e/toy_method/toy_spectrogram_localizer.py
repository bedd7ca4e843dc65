"""A toy method whose audio input is a spectrogram ``(B, 1, F, T)``: the proof
that a new method drops into sspl with no file changed outside its own module
and config (``toy_spectrogram_synthetic.py``, loaded through
``custom_imports``; this folder on ``PYTHONPATH``).

It writes what the brief says a method writes: a transform computing its audio
features (in the data workers), a localizer with ``audio_keys``, ``loss`` and
``predict_maps_and_scores``. Everything else (training, testing, overlays,
the inference API, the video demo, the benchmark) is the toolbox's.
"""
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from sspl.models.localizers import BaseLocalizer
from sspl.registry import MODELS, TRANSFORMS


@TRANSFORMS.register_module()
class ToySpectrogram:
    """``results['waveform']`` ``(L,)`` -> ``results['spectrogram']``
    ``(1, n_fft // 2 + 1, T)`` float32 log-magnitude STFT (Hann window,
    ``hop_length`` samples between frames)."""

    def __init__(self, n_fft: int = 128, hop_length: int = 64):
        self.n_fft = n_fft
        self.hop_length = hop_length

    def __call__(self, results: dict) -> dict:
        waveform = np.asarray(results['waveform'], dtype=np.float32)
        if waveform.size < self.n_fft:
            waveform = np.pad(waveform, (0, self.n_fft - waveform.size))
        starts = np.arange(0, waveform.size - self.n_fft + 1, self.hop_length)
        frames = np.stack([waveform[s:s + self.n_fft] for s in starts])
        magnitude = np.abs(np.fft.rfft(frames * np.hanning(self.n_fft), axis=1))
        results['spectrogram'] = np.log(magnitude + 1e-4).T[None].astype(np.float32)
        return results


@MODELS.register_module()
class ToySpectrogramLocalizer(BaseLocalizer):
    """Two small convolutional encoders and a contrastive loss.

    - vision: ``frames (B, 3, H, W)`` -> ``(B, D, H/4, W/4)`` L2-normalised map;
    - audio: ``spectrogram (B, 1, F, T)`` -> ``(B, D)`` L2-normalised embedding;
    - map: cosine of the audio embedding with each position ``(B, H/4, W/4)``;
      score: its maximum;
    - loss: InfoNCE over the batch on the max-pooled map (a frame with its own
      audio against the other clips' audio, both directions).
    """

    audio_keys = ('spectrogram',)

    def __init__(self, embed_dim: int = 16, temperature: float = 0.1,
                 data_preprocessor: Optional[Dict] = None, init_cfg=None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='AVDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.temperature = temperature
        self.visual_encoder = nn.Sequential(
            nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(8, embed_dim, 3, stride=2, padding=1))
        self.audio_encoder = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(8, embed_dim, 3, stride=2, padding=1),
            nn.AdaptiveAvgPool2d(1), nn.Flatten())

    def encode(self, frames: torch.Tensor, spectrogram: torch.Tensor
               ) -> Tuple[torch.Tensor, torch.Tensor]:
        visual_map = F.normalize(self.visual_encoder(frames), dim=1)
        audio_embedding = F.normalize(self.audio_encoder(spectrogram), dim=1)
        return visual_map, audio_embedding

    def loss(self, inputs: Dict, data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        visual_map, audio_embedding = self.encode(self.first_view(inputs),
                                                  **self.audio_inputs(inputs))
        # (frame n, audio m): the best-matching position of frame n for audio m
        pair_scores = torch.einsum('nchw,mc->nmhw', visual_map, audio_embedding)
        logits = pair_scores.flatten(2).max(dim=2).values / self.temperature
        target = torch.arange(len(logits), device=logits.device)
        return dict(loss=(F.cross_entropy(logits, target)
                          + F.cross_entropy(logits.t(), target)) / 2)

    def predict_maps_and_scores(self, frames: torch.Tensor, spectrogram: torch.Tensor
                                ) -> Tuple[torch.Tensor, torch.Tensor]:
        visual_map, audio_embedding = self.encode(frames, spectrogram)
        sim_map = torch.einsum('bchw,bc->bhw', visual_map, audio_embedding)
        return sim_map, sim_map.flatten(1).max(dim=1).values

    def predict_maps(self, frames: torch.Tensor, spectrogram: torch.Tensor) -> torch.Tensor:
        return self.predict_maps_and_scores(frames, spectrogram)[0]
