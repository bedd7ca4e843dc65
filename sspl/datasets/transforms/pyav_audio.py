"""Audio loading with PyAV, as the published EZ-VSL / SLAVC / FNAC loaders do.

Why not :class:`~sspl.datasets.transforms.LoadAudio`: that loader is SSPL's
(librosa: float samples, channels averaged, resampled to 16 kHz, the centred
window, min-max normalised). The ResNet18 methods decode differently, and
their numbers depend on it:

- PyAV decodes the file and libswresample converts every frame to 16-bit
  mono (``AudioResampler(format='s16p', layout='mono')``): stereo becomes
  ``floor((L + R + 1) / 2)`` on the int16 samples, not the float mean;
- the clip starts at ``max(D / 2 - duration / 2, 0)`` seconds (D: the stream's
  duration), located relative to the first decoded frame after a seek and
  truncated to a sample, and lasts ``duration`` seconds at the file's own
  rate (no resampling);
- samples are divided by 32767 and clipped to [-1, 1] (no normalisation);
  a clip shorter than ``duration`` is tiled ``int(duration * sr / n) + 1``
  times and cut to ``int(duration * sr)`` samples.

Speed (the decoded samples are the same, ``tests/test_datasets/test_transforms/
test_pyav_audio.py``): a PCM file (the prepared ``.wav`` clips) is opened
without FFmpeg's stream probing, which reads up to 5 MB of the file to find
parameters a PCM header already gives (4.7 of the published loader's 13 ms
per 3 s clip); a frame already 16-bit mono at the output rate skips the
resampler, whose conversion is then a copy. Other codecs are opened and
converted as published.

It is still the pipeline's audio loading step, so it subclasses LoadAudio
(``sample_rate``, ``duration``, :meth:`LoadAudioPyAV.prepare` for waveform
arrays, a waveform already in the sample is kept): the inference API and the
video demo, which find the pipeline's LoadAudio, take it unchanged. Its
decoding, window and scaling are its own. Outputs: ``waveform`` and
``sample_rate``, which the spectrogram's density scaling needs.
"""
import os.path as osp
from fractions import Fraction
from typing import Optional, Tuple

import numpy as np

from sspl.datasets.validation import DataLoadError
from sspl.registry import TRANSFORMS
from .loading import LoadAudio

INT16_MAX = np.iinfo(np.int16).max  # 32767, the published divisor


def _import_av():
    try:
        import av
    except ImportError as exc:  # av is in requirements/optional.txt
        raise ImportError('LoadAudioPyAV needs PyAV: pip install av (or pip install '
                          '"sspl[optional]")') from exc
    return av


#: FFmpeg's smallest probe: enough to identify the container, no stream probing
_PCM_PROBE_SIZE = '32'


def open_audio(av, path: str):
    """``av.open(path)``; a file whose first audio stream is PCM is opened
    with the smallest probe (its header holds the rate, layout, sample format
    and duration, which probing would only confirm), any other opened again
    with FFmpeg's default probing (what the published loader does)."""
    container = av.open(path, options={'probesize': _PCM_PROBE_SIZE})
    streams = container.streams.audio
    if streams and streams[0].codec_context.name.startswith('pcm_') \
            and streams[0].duration is not None:
        return container
    container.close()
    return av.open(path)


def _is_output_format(frame, rate: int) -> bool:
    """Whether ``frame`` is already what the resampler makes: 16-bit mono
    at ``rate`` (the conversion would be a copy)."""
    return (frame.format.name in ('s16', 's16p') and len(frame.layout.channels) == 1
            and frame.sample_rate == rate)


def _resampled_arrays(resampler, frame, rate: int, fast: bool = True) -> list:
    """The int16 ``(1, n)`` arrays libswresample returns for one frame (a
    list from PyAV 9 on, a single frame before); with ``fast``, the frame's
    own samples when it is already in the output format."""
    if fast and _is_output_format(frame, rate):
        # the plane's int16 samples (to_ndarray's per-frame stacking costs more
        # than the decoding of a PCM frame)
        return [np.frombuffer(frame.planes[0], dtype=np.int16,
                              count=frame.samples).reshape(1, -1)]
    out = resampler.resample(frame)
    frames = out if isinstance(out, (list, tuple)) else [out]
    return [item.to_ndarray() for item in frames if item is not None]


class PublishedClipWindow:
    """Where a decoded frame lies against the clip ``[start, end]`` seconds,
    in the published loop's arithmetic: ``Fraction`` times of every frame
    (``pts * time_base`` and its end), compared with the float bounds
    (exactly: a float is a binary fraction)."""

    def __init__(self, start, end):
        self.start, self.end = start, end

    @staticmethod
    def start_of(frame) -> Fraction:
        """The frame's start time in seconds, exact."""
        return frame.pts * frame.time_base

    def position(self, frame) -> int:
        """-1: the frame ends before the clip starts; 1: it starts after the
        clip ends; 0: it overlaps the clip."""
        chunk_start = self.start_of(frame)
        if chunk_start + Fraction(frame.samples, frame.rate) < self.start:
            return -1
        return 1 if chunk_start > self.end else 0


class ClipWindow(PublishedClipWindow):
    """The same decisions in integer arithmetic: the bounds are turned into
    exact fractions once, each frame is compared by cross-multiplication
    (``Fraction`` objects per frame and comparisons with floats were a third
    of the decoding time of a 3 s PCM clip: ~47 frames)."""

    def __init__(self, start, end):
        super().__init__(start, end)
        self._start = Fraction(start).as_integer_ratio()
        self._end = Fraction(end).as_integer_ratio()

    def position(self, frame) -> int:
        time_base, rate = frame.time_base, frame.rate
        tn, td = time_base.numerator, time_base.denominator
        start_num = frame.pts * tn           # frame start = start_num / td
        sn, sd = self._start
        # start_num / td + samples / rate < sn / sd (all denominators positive)
        if (start_num * rate + frame.samples * td) * sd < sn * td * rate:
            return -1
        en, ed = self._end
        return 1 if start_num * ed > en * td else 0


def decode_clip(path: str, duration: float = 3.0, sample_rate: Optional[int] = None,
                fast: bool = True) -> Tuple[np.ndarray, int]:
    """The published clip of ``path``: int16 mono samples ``(n,)`` (before
    tiling) and their rate.

    ``sample_rate=None`` keeps the file's rate (the published behaviour);
    an integer has libswresample resample to it in the same conversion
    (the published ``load_audio_av(rate=...)`` option). ``fast=False``
    decodes exactly as the published loader (default probing, every frame
    resampled): the same samples, slower (the benchmark's baseline).

    Raises:
        DataLoadError: missing or undecodable file, no audio stream, no samples.
    """
    av = _import_av()
    if not osp.isfile(path):
        raise DataLoadError(f'{path}: audio file does not exist')
    try:
        container = open_audio(av, path) if fast else av.open(path)
    except Exception as exc:  # av.FFmpegError and friends
        raise DataLoadError(f'{path}: cannot open the audio ({type(exc).__name__}: {exc})'
                            ) from exc
    try:
        if not container.streams.audio:
            raise DataLoadError(f'{path}: the file has no audio stream')
        stream = container.streams.audio[0]
        if stream.duration is not None:
            stream_duration = stream.duration * stream.time_base
        elif container.duration is not None:  # (the published code fails here)
            stream_duration = Fraction(container.duration, av.time_base)
        else:
            raise DataLoadError(f'{path}: the audio stream has no duration')
        stream_start = (stream.start_time * stream.time_base
                        if stream.start_time is not None else 0.0)
        stream_end = stream_start + stream_duration
        rate = int(sample_rate or stream.rate)

        start = max(float(stream_duration) / 2 - duration / 2, 0)
        clip_duration = min(duration, stream_end - start)
        end = start + clip_duration
        resampler = av.audio.resampler.AudioResampler(format='s16p', layout='mono', rate=rate)

        chunks = []
        first_chunk_start = None  # where the first decoded chunk starts, in seconds
        window = (ClipWindow if fast else PublishedClipWindow)(start, end)
        container.seek(int(start * av.time_base))
        try:
            for frame in container.decode(audio=0):
                position = window.position(frame)
                if position < 0:    # before the clip
                    continue
                if position > 0:    # after the clip
                    break
                chunk_start = window.start_of(frame) if not chunks else None
                frame.pts = None
                arrays = _resampled_arrays(resampler, frame, rate, fast)
                if arrays:
                    if not chunks:
                        first_chunk_start = chunk_start
                    chunks.extend(arrays)
        except DataLoadError:
            raise
        except Exception as exc:
            raise DataLoadError(f'{path}: audio decoding failed ({type(exc).__name__}: {exc})'
                                ) from exc
    finally:
        container.close()
    if not chunks:
        raise DataLoadError(f'{path}: no audio samples in the clip from {start:.3f} s')
    audio = np.concatenate(chunks, axis=1)
    first = int((start - first_chunk_start) * rate)
    length = int(clip_duration * rate)
    if first < 0:
        audio = np.pad(audio, ((0, 0), (-first, 0)), 'constant', constant_values=0)
        first = 0
    samples = audio[0, first:first + length]
    if samples.size == 0:
        raise DataLoadError(f'{path}: audio file holds no samples')
    return samples, rate


def tile_to_length(samples: np.ndarray, length: int) -> np.ndarray:
    """Tile ``samples`` ``int(length / n) + 1`` times if shorter than
    ``length``, then keep the first ``length`` (the published rule)."""
    if samples.shape[0] < length:
        samples = np.tile(samples, int(length / samples.shape[0]) + 1)
    return samples[:length]


def published_window(waveform: np.ndarray, sample_rate: int, duration: float) -> np.ndarray:
    """The published clip of a decoded mono waveform ``(L,)``: from
    ``max(L / sr / 2 - duration / 2, 0)`` s, ``int(duration * sr)`` samples,
    tiled when shorter."""
    start = max(waveform.shape[0] / sample_rate / 2 - duration / 2, 0)
    first = int(start * sample_rate)
    length = int(duration * sample_rate)
    return tile_to_length(waveform[first:first + length], length)


@TRANSFORMS.register_module()
class LoadAudioPyAV(LoadAudio):
    """Read ``results['audio_path']`` as the published EZ-VSL / SLAVC / FNAC
    loader does (module docstring) into ``results['waveform']``
    ``(int(duration * sr),)`` float64 in [-1, 1] and ``results['sample_rate']``.

    A waveform already in ``results`` (a waveform array given to the
    inference API, prepared by :meth:`prepare`) is kept. (The published h5
    packs store SSPL's min-max normalised 16 kHz waveform, not this clip:
    these methods read the audio files.)

    Args:
        duration: clip length in seconds (3).
        sample_rate: ``None`` keeps each file's rate (published); an integer
            resamples to it in PyAV's conversion (batches need one rate: the
            toolbox's prepared wavs keep their video's rate).
    """

    def __init__(self, duration: float = 3.0, sample_rate: Optional[int] = None):
        if duration <= 0:
            raise ValueError(f'LoadAudioPyAV: duration must be positive, got {duration}')
        super().__init__(sample_rate=sample_rate, duration=duration, normalize=False)

    @property
    def num_samples(self) -> int:
        """Samples of a clip: ``int(duration * sample_rate)`` (the published rounding)."""
        if self.sample_rate is None:
            raise ValueError('LoadAudioPyAV(sample_rate=None): the clip length follows each '
                             "file's rate")
        return int(self.sample_rate * self.duration)

    def samples(self, path: str) -> Tuple[np.ndarray, int]:
        """The clip's int16 mono samples ``(int(duration * sr),)`` (cropped or
        tiled) and their rate."""
        samples, rate = decode_clip(path, self.duration, self.sample_rate)
        return tile_to_length(samples, int(rate * self.duration)), rate

    def __call__(self, results: dict) -> dict:
        if results.get('waveform') is not None:
            if self.sample_rate is None:
                raise ValueError('LoadAudioPyAV(sample_rate=None) takes each file\'s rate; a '
                                 'waveform array needs the rate it is at: set sample_rate')
            results['sample_rate'] = self.sample_rate
            return results
        samples, rate = self.samples(results['audio_path'])
        results['waveform'] = np.clip(samples / INT16_MAX, -1.0, 1.0)
        results['sample_rate'] = rate
        return results

    def prepare(self, waveform: np.ndarray) -> np.ndarray:
        """A mono float waveform ``(L,)`` at ``sample_rate`` in [-1, 1] -> its
        published clip (the middle ``duration`` s, tiled when short), float64
        clipped to [-1, 1]. (No int16 rounding: the array is not a file.)"""
        if self.sample_rate is None:
            raise ValueError('LoadAudioPyAV.prepare needs sample_rate (None takes each '
                             "file's rate)")
        waveform = np.asarray(waveform, dtype=np.float64)
        if waveform.ndim != 1 or waveform.size == 0:
            raise ValueError(f'LoadAudioPyAV.prepare: expected a non-empty (L,) waveform, got '
                             f'shape {waveform.shape}')
        return np.clip(published_window(waveform, self.sample_rate, self.duration), -1.0, 1.0)

    def __repr__(self):
        return (f'{self.__class__.__name__}(duration={self.duration}, '
                f'sample_rate={self.sample_rate})')
