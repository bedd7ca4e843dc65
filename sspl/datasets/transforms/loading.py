"""Loading of frames and audio, with the published pre-processing semantics."""
import numpy as np
from PIL import Image

from sspl.registry import TRANSFORMS


def normalize_waveform(waveform: np.ndarray) -> np.ndarray:
    """Min-max normalise to [-1, 1] as the published code does:
    ``x -= min; x /= (max + 1e-3); x -= 0.5; x *= 2`` (float32; a silent clip
    becomes a constant -1, never NaN)."""
    waveform = waveform.astype(np.float32, copy=True)
    waveform -= waveform.min()
    waveform /= waveform.max() + np.float32(1e-3)
    waveform -= np.float32(0.5)
    waveform *= np.float32(2)
    return waveform


def center_window(waveform: np.ndarray, length: int) -> np.ndarray:
    """Tile ``waveform`` ``int(length / n) + 1`` times if it is shorter than
    ``length``, then take the window of ``length`` samples starting at
    ``n // 2 - length // 2``."""
    num_samples = waveform.shape[0]
    if num_samples == 0:
        raise ValueError('empty waveform')
    if num_samples < length:
        waveform = np.tile(waveform, int(length / num_samples) + 1)
        num_samples = waveform.shape[0]
    start = int(num_samples / 2) - int(length / 2)
    return waveform[start:start + length]


def load_frame(path: str) -> np.ndarray:
    """Read an image file as RGB uint8 ``(H, W, 3)`` (PIL, like the published code)."""
    with Image.open(path) as image:
        return np.asarray(image.convert('RGB'))


@TRANSFORMS.register_module()
class LoadFrame:
    """Read ``results['frame_path']`` as an RGB uint8 array ``(H, W, 3)`` into
    ``results['img']``, and set ``ori_shape`` and ``img_shape``.

    ``frame_path`` may be a list (one frame per view): ``img`` is then a list
    too, and :class:`MultiView` gives view ``i`` frame ``i``. A frame already in
    ``results['img']`` (h5 packs, in-memory scenes) is kept.
    """

    def __call__(self, results: dict) -> dict:
        if results.get('img') is None:
            paths = results['frame_path']
            if isinstance(paths, (list, tuple)):
                results['img'] = [load_frame(path) for path in paths]
            else:
                results['img'] = load_frame(paths)
        images = results['img'] if isinstance(results['img'], list) else [results['img']]
        images = [np.clip(np.asarray(img), 0, 255).astype(np.uint8)
                  if np.asarray(img).dtype != np.uint8 else np.asarray(img) for img in images]
        results['img'] = images if isinstance(results['img'], list) else images[0]
        results['ori_shape'] = images[0].shape[:2]
        results['img_shape'] = images[0].shape[:2]
        return results

    def __repr__(self):
        return f'{self.__class__.__name__}()'


@TRANSFORMS.register_module()
class LoadAudio:
    """Read ``results['audio_path']`` into ``results['waveform']``: resampled
    to ``sample_rate`` mono (librosa), tiled if short, the centred window of
    ``duration`` seconds, min-max normalised to [-1, 1].

    A waveform already in ``results['waveform']`` (h5 packs) is kept as it is:
    the published packs store it pre-processed.

    Args:
        sample_rate: target rate (16 kHz for VGGish).
        duration: window length in seconds (3).
        normalize: apply the published min-max normalisation.
    """

    def __init__(self, sample_rate: int = 16000, duration: float = 3.0, normalize: bool = True):
        self.sample_rate = sample_rate
        self.duration = duration
        self.normalize = normalize

    @property
    def num_samples(self) -> int:
        return int(round(self.sample_rate * self.duration))

    def __call__(self, results: dict) -> dict:
        if results.get('waveform') is not None:
            return results
        import librosa
        path = results['audio_path']
        waveform, _ = librosa.load(path, sr=self.sample_rate, mono=True)
        if waveform.size == 0:
            raise ValueError(f'{path}: audio file holds no samples')
        waveform = center_window(waveform, self.num_samples)
        if self.normalize:
            waveform = normalize_waveform(waveform)
        results['waveform'] = waveform.astype(np.float32, copy=False)
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(sample_rate={self.sample_rate}, '
                f'duration={self.duration}, normalize={self.normalize})')
