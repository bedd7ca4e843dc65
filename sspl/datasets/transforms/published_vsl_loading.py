"""The published data loading of EZ-VSL / SLAVC / FNAC, as one transform: the
benchmark's baseline (``tools/analysis/benchmark.py --baseline``), not a
pipeline to train with.

What the published ``AudioVisualDataset.getitem`` computes per sample
(``../shared/parity/vsl/README.md``; the three repositories' ``datasets.py``
and ``audio_io.py`` agree), written with the same libraries:

- image: PIL ``open().convert('RGB')``; training: torchvision's bicubic
  ``Resize(int(224 * 1.1))`` of the shorter side, ``RandomCrop(224)``,
  ``RandomHorizontalFlip`` (FNAC's scripts train without it); test:
  ``Resize((224, 224))``; then ``ToTensor`` and ImageNet ``Normalize``, in the
  worker: a float32 ``(3, 224, 224)`` tensor per sample;
- audio: PyAV with FFmpeg's default probing, every frame through
  libswresample to 16-bit mono, the 3 s clip at the middle of the stream
  (:func:`~sspl.datasets.transforms.pyav_audio.decode_clip` with
  ``fast=False``), ``/ 32767`` in float64, clipped, averaged over the one
  channel, tiled when short; ``scipy.signal.spectrogram(x, sr, nperseg=512,
  noverlap=274)``, ``log(S + 1e-7)``, ``ToTensor`` (float64 ``(1, 257, T)``),
  FNAC's ``FrequencyMask`` / ``TimeMask`` there when training with them,
  ``Normalize(0, 12)``; the model casts it with ``spec.float()``.

The random draws (crop, flip, masks) come from the sample's generator
(:func:`~sspl.datasets.sample_randomness.sample_rng`), as every transform of
the toolbox; their cost is the published one. The toolbox's pipelines
compute the same numbers (tests/test_datasets/test_transforms/
test_published_vsl_loading.py holds this one to the parity data).
"""
from typing import Optional, Sequence

import numpy as np
import torch

from sspl.registry import TRANSFORMS
from sspl.structures import LocalizationDataSample
from ..sample_randomness import sample_rng
from .pyav_audio import INT16_MAX, decode_clip

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
SPECTROGRAM_STD = 12.0


def published_spectrogram(waveform: np.ndarray, sample_rate: int) -> np.ndarray:
    """``log(scipy.signal.spectrogram(x, sr, nperseg=512, noverlap=274)[2] +
    1e-7)`` ``(257, T)`` float64 of a mono float64 waveform ``(L,)``."""
    from scipy import signal
    _, _, spectrogram = signal.spectrogram(waveform, sample_rate, nperseg=512, noverlap=274)
    return np.log(spectrogram + 1e-7)


@TRANSFORMS.register_module()
class PublishedVSLLoading:
    """One sample as the published loader makes it (module docstring):
    ``results['frame_path']`` and ``results['audio_path']`` ->
    ``dict(inputs=dict(frames=(3, S, S) float32 normalised, spectrogram=
    (1, 257, T) float64), data_samples=LocalizationDataSample)`` (with the
    ``meta_keys``; no ground truth: the benchmark times the model, not the
    metric).

    Args:
        train: the training transforms (resize, random crop, flip, masks) or
            the test ones (resize to ``S x S``).
        size: the frame side ``S`` (224 published).
        flip: the training flip (EZ-VSL, SLAVC: True; FNAC: False).
        spectrogram_masks: FNAC's two masks of widths ``0 .. max_mask_width
            - 1`` (training only).
        max_mask_width: 10 published.
        duration: seconds of audio (3).
        sample_rate: None (each file's rate, published) or the rate the
            benchmarked pipeline resamples to, so both give the same shapes.
    """

    def __init__(self, train: bool = True, size: int = 224, flip: bool = True,
                 spectrogram_masks: bool = False, max_mask_width: int = 10,
                 duration: float = 3.0, sample_rate: Optional[int] = None,
                 meta_keys: Sequence[str] = ('sample_id', 'frame_path', 'audio_path')):
        self.train = train
        self.size = size
        self.flip = flip
        self.spectrogram_masks = spectrogram_masks
        self.max_mask_width = max_mask_width
        self.duration = duration
        self.sample_rate = sample_rate
        self.meta_keys = tuple(meta_keys)

    # ------------------------------------------------------------ image
    def frame(self, path: str, results: dict) -> torch.Tensor:
        from PIL import Image
        from torchvision.transforms import InterpolationMode
        from torchvision.transforms import functional as F
        with Image.open(path) as file:
            image = file.convert('RGB')
        if self.train:
            image = F.resize(image, int(self.size * 1.1), InterpolationMode.BICUBIC)
            rng = sample_rng(results)
            width, height = image.size
            top = int(rng.integers(0, height - self.size + 1))
            left = int(rng.integers(0, width - self.size + 1))
            image = F.crop(image, top, left, self.size, self.size)
            if self.flip and rng.random() < 0.5:
                image = F.hflip(image)
        else:
            image = F.resize(image, [self.size, self.size], InterpolationMode.BICUBIC)
        return F.normalize(F.to_tensor(image), IMAGENET_MEAN, IMAGENET_STD)

    # ------------------------------------------------------------ audio
    def spectrogram(self, path: str, results: dict) -> torch.Tensor:
        from torchvision.transforms import functional as F
        samples, rate = decode_clip(path, self.duration, self.sample_rate, fast=False)
        audio = np.clip(samples[None] / INT16_MAX, -1., 1.).mean(0)   # (1, n) -> mono
        length = int(rate * self.duration)
        if audio.shape[0] < length:
            audio = np.tile(audio, int(length / audio.shape[0]) + 1)
        spectrogram = F.to_tensor(published_spectrogram(audio[:length], rate))  # (1, 257, T)
        if self.train and self.spectrogram_masks:
            rng = sample_rng(results)
            # FrequencyMask draws its start from T, TimeMask from 257 (published)
            start = int(rng.integers(0, spectrogram.shape[2]))
            spectrogram[:, start:start + int(rng.integers(0, self.max_mask_width)), :] = 0
            start = int(rng.integers(0, spectrogram.shape[1]))
            spectrogram[:, :, start:start + int(rng.integers(0, self.max_mask_width))] = 0
        return F.normalize(spectrogram, [0.0], [SPECTROGRAM_STD])

    def __call__(self, results: dict) -> dict:
        # (audio first: the draws then come in the order of the toolbox's
        # pipelines, masks before the crop, so the two can be compared)
        spectrogram = self.spectrogram(results['audio_path'], results)
        inputs = dict(frames=self.frame(results['frame_path'], results), spectrogram=spectrogram)
        data_sample = LocalizationDataSample()
        data_sample.set_metainfo({key: results[key] for key in self.meta_keys if key in results})
        return dict(inputs=inputs, data_samples=data_sample)

    def __repr__(self):
        return (f'{self.__class__.__name__}(train={self.train}, size={self.size}, '
                f'flip={self.flip}, spectrogram_masks={self.spectrogram_masks})')
