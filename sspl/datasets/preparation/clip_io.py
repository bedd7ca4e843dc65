"""Reading frames and audio from videos with PyAV (FFmpeg's libraries, bundled
in the ``av`` wheel: no ffmpeg binary needed), windowing the audio, and
writing the prepared frame / wav files atomically. Used by the preparation
tools and by the video demo (:mod:`sspl.apis.video_inference`).

Errors are classified for the preparation report: every failure raises a
:class:`ClipError` whose ``category`` is one of ``missing``, ``corrupt``,
``no_audio``, ``no_video`` or ``too_short``.
"""
import os
import os.path as osp
from fractions import Fraction
from typing import Iterator, List, Optional, Sequence, Tuple

import numpy as np

from sspl.utils.atomic_io import atomic_output_path

VIDEO_EXTENSIONS = ('.mp4', '.mkv', '.webm', '.avi', '.mov', '.flv', '.m4v', '.3gp', '.mpg',
                    '.mpeg', '.ogv')

# Sample formats of decoded audio -> scale to float in [-1, 1].
_INT_SCALES = {'u8': None, 's16': 32768.0, 's32': 2147483648.0, 's64': 9223372036854775808.0}


class ClipError(Exception):
    """A video that cannot be prepared; ``category`` goes into the report."""
    category = 'corrupt'

    def __init__(self, category: str, message: str):
        super().__init__(message)
        self.category = category


def _open(path: str):
    import av
    if not osp.isfile(path):
        raise ClipError('missing', f'{path}: no such file')
    try:
        return av.open(path)
    except Exception as exc:  # FFmpeg errors come in many classes
        raise ClipError('corrupt', f'{path}: cannot open ({type(exc).__name__}: {exc})') from exc


def _frame_to_float(frame) -> np.ndarray:
    """One decoded audio frame as ``(channels, samples)`` float32 in [-1, 1]."""
    array = frame.to_ndarray()
    fmt = frame.format.name
    channels = len(frame.layout.channels)
    if not frame.format.is_planar:  # packed: (1, samples * channels)
        array = array.reshape(-1, channels).T
    base = fmt.rstrip('p')
    if base in ('flt', 'dbl'):
        return array.astype(np.float32, copy=False)
    if base == 'u8':
        return (array.astype(np.float32) - 128.0) / 128.0
    if base in _INT_SCALES:
        return (array.astype(np.float64) / _INT_SCALES[base]).astype(np.float32)
    raise ClipError('corrupt', f'unsupported audio sample format {fmt}')


def decode_audio(path: str) -> Tuple[np.ndarray, int, float]:
    """The whole first audio stream: ``(channels, samples)`` float32, its
    sample rate, and the time (s) of its first sample."""
    container = _open(path)
    try:
        if not container.streams.audio:
            raise ClipError('no_audio', f'{path}: the video has no audio stream')
        stream = container.streams.audio[0]
        chunks, start_time = [], None
        try:
            for frame in container.decode(stream):
                if start_time is None:
                    start_time = float(frame.time) if frame.time is not None else 0.0
                chunks.append(_frame_to_float(frame))
        except ClipError:
            raise
        except Exception as exc:
            raise ClipError('corrupt', f'{path}: audio decoding failed '
                            f'({type(exc).__name__}: {exc})') from exc
        if not chunks:
            raise ClipError('no_audio', f'{path}: the audio stream holds no samples')
        rate = int(stream.rate or stream.codec_context.sample_rate)
        return np.concatenate(chunks, axis=1), rate, start_time or 0.0
    finally:
        container.close()


def _video_span(stream, container) -> Optional[Tuple[float, float]]:
    """(start, duration) in seconds from the metadata, or None if unknown."""
    start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
    if stream.duration is not None and stream.duration > 0:
        return start, float(stream.duration * stream.time_base)
    if container.duration is not None and container.duration > 0:
        return start, container.duration / 1e6
    return None


def _decode_video_frames(path: str, container, stream):
    try:
        for frame in container.decode(stream):
            yield frame
    except Exception as exc:
        raise ClipError('corrupt', f'{path}: video decoding failed '
                        f'({type(exc).__name__}: {exc})') from exc


def frames_at_times(path: str, times: Sequence[float]) -> List[np.ndarray]:
    """RGB uint8 ``(H, W, 3)`` frames shown at each of ``times`` (seconds):
    the last frame that starts at or before the time (the first frame for
    times before it, the last frame for times after the end)."""
    container = _open(path)
    try:
        if not container.streams.video:
            raise ClipError('no_video', f'{path}: the video has no video stream')
        stream = container.streams.video[0]
        order = np.argsort(times)
        picked: List[Optional[np.ndarray]] = [None] * len(times)
        earliest = float(min(times))
        if earliest > 2.0:  # seek near the first time (to a key frame before it)
            try:
                container.seek(int((earliest - 1.0) / stream.time_base), stream=stream,
                               backward=True, any_frame=False)
            except Exception:
                container.seek(0)
        previous, cursor = None, 0
        for frame in _decode_video_frames(path, container, stream):
            time = float(frame.time) if frame.time is not None else 0.0
            while cursor < len(order) and time > times[order[cursor]] + 1e-6:
                source = previous if previous is not None else frame
                picked[order[cursor]] = source.to_ndarray(format='rgb24')
                cursor += 1
            if cursor == len(order):
                break
            previous = frame
        if previous is None and cursor < len(order):
            raise ClipError('corrupt', f'{path}: no video frame could be decoded')
        while cursor < len(order):  # times after the last frame
            picked[order[cursor]] = previous.to_ndarray(format='rgb24')
            cursor += 1
        return picked
    finally:
        container.close()


def frames_at_indices(path: str, indices: Sequence[int]) -> List[Optional[np.ndarray]]:
    """RGB uint8 frames by 0-based decode order (None for an index past the
    last decodable frame)."""
    container = _open(path)
    try:
        if not container.streams.video:
            raise ClipError('no_video', f'{path}: the video has no video stream')
        stream = container.streams.video[0]
        wanted = {}
        for position, index in enumerate(indices):
            wanted.setdefault(int(index), []).append(position)
        picked: List[Optional[np.ndarray]] = [None] * len(indices)
        last = max(wanted)
        for count, frame in enumerate(_decode_video_frames(path, container, stream)):
            if count in wanted:
                array = frame.to_ndarray(format='rgb24')
                for position in wanted[count]:
                    picked[position] = array
            if count >= last:
                break
        return picked
    finally:
        container.close()


def middle_time(path: str) -> float:
    """Time (s) of the middle of the video stream (metadata; by counting the
    frames when the metadata lack a duration)."""
    container = _open(path)
    try:
        if not container.streams.video:
            raise ClipError('no_video', f'{path}: the video has no video stream')
        stream = container.streams.video[0]
        span = _video_span(stream, container)
        if span is not None:
            return span[0] + span[1] / 2.0
        times = [float(frame.time or 0.0)
                 for frame in _decode_video_frames(path, container, stream)]
        if not times:
            raise ClipError('corrupt', f'{path}: no video frame could be decoded')
        return times[len(times) // 2]
    finally:
        container.close()


def audio_window(audio: np.ndarray, rate: int, audio_start: float, center: float,
                 duration: float, require_inside: bool = False) -> np.ndarray:
    """``duration`` s of ``audio`` (``(C, N)`` or ``(N,)``: the last axis is
    time) centred on ``center`` (s, video time; the audio's first sample is at
    ``audio_start``). The one windowing function of sspl: the preparation
    tools and the video demo (:mod:`sspl.apis.video_inference`) both use it.

    The window starts at the sample nearest to its exact start,
    ``round((center - audio_start - duration / 2) * rate)``, and holds
    ``round(duration * rate)`` samples. (The video demo used to round the
    centre and subtract half the length, which differed from this by up to a
    sample; the prepared datasets were always made with this rule.) The
    window is shifted to lie inside the audio; audio shorter than
    ``duration`` is returned whole (the loader tiles it). With
    ``require_inside`` a window that does not fit is a ``too_short`` error
    (the published Chaotic World rule)."""
    num = int(round(duration * rate))
    total = audio.shape[-1]
    start = int(round((center - audio_start - duration / 2.0) * rate))
    if require_inside and (start < 0 or start + num > total):
        raise ClipError('too_short', f'the {duration:g} s window centred at {center:.3f} s '
                        f'is not inside the audio ({total / rate:.3f} s)')
    if total <= num:
        return audio
    start = min(max(start, 0), total - num)
    return audio[..., start:start + num]


def iter_video_frames(path: str) -> Iterator[Tuple[float, np.ndarray]]:
    """``(time in s, (H, W, 3) uint8 RGB)`` of every frame of the first video
    stream, in decode order (a frame without a timestamp gets
    ``index / frame rate``)."""
    container = _open(path)
    try:
        if not container.streams.video:
            raise ClipError('no_video', f'{path}: the video has no video stream')
        stream = container.streams.video[0]
        rate = float(stream.average_rate or 25)
        for index, frame in enumerate(_decode_video_frames(path, container, stream)):
            time = float(frame.time) if frame.time is not None else index / rate
            yield time, frame.to_ndarray(format='rgb24')
    finally:
        container.close()


def video_frame_rate(path: str) -> Fraction:
    """The frame rate of the first video stream (its average rate, else the
    rate FFmpeg guesses, else 25)."""
    container = _open(path)
    try:
        if not container.streams.video:
            raise ClipError('no_video', f'{path}: the video has no video stream')
        stream = container.streams.video[0]
        return Fraction(stream.average_rate or stream.guessed_rate or 25)
    finally:
        container.close()


def write_frame(path: str, frame: np.ndarray, size: Optional[Tuple[int, int]] = None) -> None:
    """Save an RGB uint8 frame (resized to ``size`` = (width, height) with PIL
    bicubic if given) atomically; the format follows the extension."""
    from PIL import Image
    image = Image.fromarray(frame)
    if size is not None and image.size != tuple(size):
        image = image.resize(tuple(size), Image.BICUBIC)
    ext = osp.splitext(path)[1].lower()
    with atomic_output_path(path, suffix=ext) as tmp:
        if ext in ('.jpg', '.jpeg'):
            image.save(tmp, format='JPEG', quality=95)
        else:
            image.save(tmp)


def mix_and_resample(audio: np.ndarray, rate: int, target_rate: Optional[int] = None,
                     mono: bool = False) -> Tuple[np.ndarray, int]:
    """``(C, N)`` float audio, optionally down-mixed (channel mean, kept
    ``(1, N)``) and then resampled to ``target_rate`` (librosa's default
    resampler, the one ``LoadAudio`` uses for files); returns it and its rate."""
    if mono and audio.shape[0] > 1:
        audio = audio.mean(axis=0, keepdims=True)
    if target_rate is not None and target_rate != rate:
        import librosa
        audio = librosa.resample(audio, orig_sr=rate, target_sr=target_rate)
        rate = target_rate
    return audio, rate


def write_wav(path: str, audio: np.ndarray, rate: int, target_rate: Optional[int] = None,
              mono: bool = False) -> None:
    """Save ``(C, N)`` float audio as 16-bit PCM wav atomically, optionally
    down-mixed and resampled (:func:`mix_and_resample`)."""
    import soundfile
    audio, rate = mix_and_resample(audio, rate, target_rate, mono)
    with atomic_output_path(path) as tmp:
        soundfile.write(tmp, np.clip(audio.T, -1.0, 1.0), rate, subtype='PCM_16', format='WAV')


def find_videos(video_dir: str) -> dict:
    """``{stem: path}`` of the videos under ``video_dir`` (recursive). A stem
    found twice is an error naming both files."""
    videos = {}
    for folder, _, files in os.walk(video_dir):
        for name in sorted(files):
            stem, ext = osp.splitext(name)
            if ext.lower() not in VIDEO_EXTENSIONS:
                continue
            path = osp.join(folder, name)
            if stem in videos:
                raise ValueError(f'two videos share the id {stem}: {videos[stem]} and {path}')
            videos[stem] = path
    return videos
