"""Loading of frames and audio, with the published pre-processing semantics."""
import os.path as osp

import numpy as np
from PIL import Image

from sspl.datasets.validation import DataLoadError
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


def _png_16bit_as_rgb8(path: str) -> np.ndarray:
    """A 16-bit PNG as RGB uint8: values scaled by 1/257 (65535 -> 255), alpha
    dropped. PIL would clip 16-bit grey to 255 and truncate 16-bit colour."""
    import cv2
    array = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if array is None:
        raise DataLoadError(f'{path}: cannot decode the 16-bit PNG')
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    elif array.shape[2] == 4:
        array = cv2.cvtColor(array, cv2.COLOR_BGRA2RGB)
    else:
        array = cv2.cvtColor(array, cv2.COLOR_BGR2RGB)
    if array.dtype == np.uint16:
        array = np.round(array.astype(np.float32) / 257.0)
    return np.clip(array, 0, 255).astype(np.uint8)


def load_frame(path: str) -> np.ndarray:
    """Read an image file as RGB uint8 ``(H, W, 3)`` (PIL, like the published code).

    Greyscale, palette and CMYK images are converted to RGB, RGBA loses its
    alpha channel (PIL's ``convert('RGB')``, as the published code), 16-bit
    PNGs (grey or colour) are scaled by 1/257.

    Raises:
        DataLoadError: the file is missing, truncated or not a decodable image
            (the message names the file and the problem).
    """
    if not osp.isfile(path):
        raise DataLoadError(f'{path}: frame file does not exist')
    try:
        with Image.open(path) as image:
            rawmode = image.tile[0].args if image.tile else None
            if image.format == 'PNG' and isinstance(rawmode, str) and ';16' in rawmode:
                return _png_16bit_as_rgb8(path)
            if image.mode.startswith('I;16'):
                array = np.round(np.asarray(image, dtype=np.float32) / 257.0)
                return np.repeat(np.clip(array, 0, 255).astype(np.uint8)[:, :, None], 3, axis=2)
            if image.mode in ('I', 'F'):
                raise DataLoadError(f'{path}: unsupported pixel format (PIL mode {image.mode!r}, '
                                    '32-bit); convert the frame to 8-bit RGB')
            return np.asarray(image.convert('RGB'))
    except DataLoadError:
        raise
    except Exception as exc:  # PIL raises OSError, SyntaxError, ValueError ... on bad files
        raise DataLoadError(f'{path}: cannot decode the image ({type(exc).__name__}: {exc})'
                            ) from exc


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


def _read_native_rate(path: str, sample_rate: int):
    """The file as mono float32 if soundfile reads it and its rate is already
    ``sample_rate`` (what ``librosa.load`` computes then: soundfile's float32
    samples, channels averaged), else None. Saves librosa's first-call cost
    (several seconds) in every process."""
    import soundfile
    with soundfile.SoundFile(path) as file:
        if file.samplerate != sample_rate:
            return None
        data = file.read(dtype='float32', always_2d=True)
    return data[:, 0] if data.shape[1] == 1 else np.mean(data.T, axis=0)


def load_waveform(path: str, sample_rate: int) -> np.ndarray:
    """Read an audio file as mono float32 at ``sample_rate`` (librosa: any
    bit depth, PCM or float, any channel count (averaged), any rate).

    Raises:
        DataLoadError: the file is missing, not decodable, holds no samples,
            or holds NaN/infinite samples (the message names the file).
    """
    if not osp.isfile(path):
        raise DataLoadError(f'{path}: audio file does not exist')
    soundfile_error = None
    try:
        waveform = _read_native_rate(path, sample_rate)
    except Exception as exc:  # not a soundfile format: librosa (audioread) may still read it
        waveform, soundfile_error = None, exc
    if waveform is None:
        try:
            import librosa
            waveform, _ = librosa.load(path, sr=sample_rate, mono=True)
        except Exception as exc:  # soundfile / audioread errors on bad files
            reason = soundfile_error if soundfile_error is not None and not str(exc) else exc
            raise DataLoadError(f'{path}: cannot decode the audio '
                                f'({type(reason).__name__}: {reason})') from exc
    if waveform.size == 0:
        raise DataLoadError(f'{path}: audio file holds no samples')
    if not np.isfinite(waveform).all():
        raise DataLoadError(f'{path}: audio holds NaN or infinite samples')
    return waveform


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
        results['waveform'] = self.prepare(load_waveform(results['audio_path'],
                                                         self.sample_rate))
        return results

    def prepare(self, waveform: np.ndarray) -> np.ndarray:
        """A mono ``(L,)`` waveform at ``sample_rate`` -> the centred window
        (tiled when short), normalised, float32 ``(num_samples,)``."""
        waveform = center_window(waveform, self.num_samples)
        if self.normalize:
            waveform = normalize_waveform(waveform)
        return waveform.astype(np.float32, copy=False)

    def __repr__(self):
        return (f'{self.__class__.__name__}(sample_rate={self.sample_rate}, '
                f'duration={self.duration}, normalize={self.normalize})')
