"""Where does the sound come from, frame by frame? A localizer's heatmaps
drawn over a video (the logic of ``tools/demo/localize_video.py``).

For each video frame at time t the model sees the frame and the audio window
centred at t, both through the model's own test pipeline
(:func:`sspl.apis.inference_localizer`): the audio rate and the window length
are those of the pipeline's audio loading step (its ``LoadAudio``), so any
registered localizer works, whatever its audio input (log-mel, embeddings,
spectrogram, waveform). Decoding and windowing are the data preparation's
(:mod:`sspl.datasets.preparation.clip_io`): the audio track is decoded once,
mixed to mono and resampled to the pipeline's rate with the resampler
``LoadAudio`` uses for files, and each window is cut with
:func:`~sspl.datasets.preparation.clip_io.audio_window`.
"""
import os
import os.path as osp
from fractions import Fraction
from typing import List, Optional, Sequence, Tuple

import numpy as np

from sspl.datasets.preparation import clip_io
from sspl.datasets.preparation.clip_io import ClipError
from sspl.datasets.transforms.loading import LoadAudio
from .inference import get_test_pipeline_cfg, inference_localizer


def _config_name(cfg) -> str:
    return getattr(cfg, 'filename', None) or "the model's config"


def pipeline_audio_loader(cfg) -> LoadAudio:
    """The audio loading step of ``cfg``'s test pipeline: its ``LoadAudio``,
    or the ``LoadAudio`` a transform applies itself (its ``load_audio``).

    Raises:
        ValueError: the pipeline has none (e.g. it reads cached features
            only): the video's sound cannot be fed to such a pipeline.
    """
    from sspl.registry import TRANSFORMS
    for step in get_test_pipeline_cfg(cfg):
        transform = TRANSFORMS.build(step) if isinstance(step, dict) else step
        if isinstance(transform, LoadAudio):
            return transform
        if isinstance(getattr(transform, 'load_audio', None), LoadAudio):
            return transform.load_audio
    raise ValueError(f'{_config_name(cfg)}: the test pipeline has no audio loading step '
                     '(LoadAudio, or a transform with its own load_audio), so the sound of a '
                     'video cannot go through it; use a config whose test pipeline loads audio')


def _video_error(exc: ClipError) -> Exception:
    if exc.category == 'missing':
        return FileNotFoundError(str(exc))
    if exc.category == 'no_audio':
        return ValueError(f'{exc}: the model needs the sound')
    return ValueError(str(exc))


def load_audio_track(path: str, sample_rate: int) -> Tuple[np.ndarray, float]:
    """The first audio stream of the video ``path`` as mono float32 ``(L,)``
    at ``sample_rate``, and the time (s) of its first sample.

    Raises:
        ValueError: the video has no audio stream, or it cannot be decoded.
    """
    try:
        audio, rate, audio_start = clip_io.decode_audio(path)
    except ClipError as exc:
        raise _video_error(exc) from exc
    audio, _ = clip_io.mix_and_resample(audio, rate, target_rate=sample_rate, mono=True)
    return np.ascontiguousarray(audio[0], dtype=np.float32), audio_start


def video_frames(path: str):
    """``(time in s, (H, W, 3) uint8 RGB)`` of each frame of the video (a
    :class:`ValueError` when it has no video stream or does not decode)."""
    try:
        yield from clip_io.iter_video_frames(path)
    except ClipError as exc:
        raise _video_error(exc) from exc


def video_rate(path: str) -> Fraction:
    try:
        return clip_io.video_frame_rate(path)
    except ClipError as exc:
        raise _video_error(exc) from exc


class VideoLocalizer:
    """Maps of frames of one video, from a localizer and the video's audio.

    Args:
        model: a localizer with its config in ``model.cfg``
            (:func:`sspl.apis.init_localizer`), in eval mode.
        video: the video whose audio track is used.
        window: audio window in seconds, centred at each frame; ``None``: the
            test pipeline's (its ``LoadAudio.duration``, 3 s for SSPL).

    Attributes:
        sample_rate: the test pipeline's audio rate.
        waveform: the whole audio track, mono ``(L,)`` at ``sample_rate``.
        audio_start: time (s) of its first sample.
    """

    def __init__(self, model, video: str, window: Optional[float] = None):
        load_audio = pipeline_audio_loader(getattr(model, 'cfg', None))
        self.model = model
        self.sample_rate = int(load_audio.sample_rate)
        self.window = float(load_audio.duration if window is None else window)
        if self.window <= 0:
            raise ValueError(f'the audio window must be > 0 s, got {self.window}')
        self.waveform, self.audio_start = load_audio_track(video, self.sample_rate)

    def audio_at(self, time: float) -> np.ndarray:
        """The ``window`` s of the track centred at ``time`` (video time)."""
        return clip_io.audio_window(self.waveform, self.sample_rate, self.audio_start, time,
                                    self.window)

    def __call__(self, frames: Sequence[np.ndarray], times: Sequence[float]) -> list:
        """A :class:`~sspl.structures.LocalizationDataSample` per frame
        (``pred_sim_map``, ``view_box``: see :func:`sspl.apis.inference_localizer`)."""
        audios = [self.audio_at(time) for time in times]
        return inference_localizer(self.model, list(frames), audios,
                                   sample_rate=self.sample_rate)


def draw_overlay(frame: np.ndarray, data_sample, alpha: float) -> np.ndarray:
    """The ``(H, W, 3)`` RGB frame with the heatmap of ``data_sample`` over the
    network's view (outlined in grey when it is only part of the frame)."""
    import cv2

    from sspl.visualization import overlay_heatmap
    height, width = frame.shape[:2]
    view_box = data_sample.metainfo.get('view_box')
    drawn = overlay_heatmap(frame, data_sample.pred_sim_map, alpha, view_box)
    if view_box is not None:
        x0, y0, x1, y1 = (int(round(v)) for v in view_box)
        if x0 > 0 or y0 > 0 or x1 < width or y1 < height:
            cv2.rectangle(drawn, (max(x0, 0), max(y0, 0)),
                          (min(x1, width) - 1, min(y1, height) - 1), (160, 160, 160), 1)
    return drawn


def localize_frame(localizer: VideoLocalizer, video: str, time: float, out: str,
                   alpha: float = 0.5) -> float:
    """Write the overlay of the frame shown closest to ``time`` (s) to the
    image ``out``; returns that frame's time."""
    import cv2
    best = None
    for frame_time, frame in video_frames(video):
        if best is None or abs(frame_time - time) < abs(best[0] - time):
            best = (frame_time, frame)
        elif frame_time > time:
            break
    if best is None:
        raise ValueError(f'{video}: no frame decoded')
    data_sample = localizer([best[1]], [best[0]])[0]
    drawn = draw_overlay(best[1], data_sample, alpha)
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    if not cv2.imwrite(out, cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR)):
        raise OSError(f'could not write {out}')
    return best[0]


def _open_output(path: str, rate: Fraction, width: int, height: int,
                 audio_rate: Optional[int]):
    import av
    container = av.open(path, mode='w')
    video = None
    for codec in ('libx264', 'mpeg4'):
        if codec in av.codecs_available:
            try:
                video = container.add_stream(codec, rate=rate)
                break
            except Exception:  # codec present but unusable in this FFmpeg build
                video = None
    if video is None:
        container.close()
        raise RuntimeError('no H.264 or MPEG-4 encoder in this PyAV build')
    video.width, video.height, video.pix_fmt = width, height, 'yuv420p'
    audio = None
    if audio_rate is not None:
        audio = container.add_stream('aac', rate=audio_rate)
        audio.layout = 'mono'
    return container, video, audio


def _encode_audio(container, stream, waveform: np.ndarray, sample_rate: int) -> None:
    import av
    chunk = 1024
    for start in range(0, waveform.shape[0], chunk):
        piece = np.ascontiguousarray(waveform[start:start + chunk], dtype=np.float32)[None]
        frame = av.AudioFrame.from_ndarray(piece, format='flt', layout='mono')
        frame.sample_rate = sample_rate
        frame.pts = start
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)


def localize_video(localizer: VideoLocalizer, video: str, out: str, interval: int = 1,
                   batch_size: int = 4, alpha: float = 0.5, with_audio: bool = True) -> int:
    """Overlay every frame of ``video`` and encode the result to ``out``
    (H.264, else MPEG-4; the frame rate and the even-cropped frame size of the
    input; with ``with_audio`` the mono track at the pipeline's rate). A map
    is computed every ``interval`` frames (``batch_size`` frames per forward
    pass) and held in between. Returns the number of frames written."""
    import av
    if interval < 1 or batch_size < 1:
        raise ValueError('interval and batch_size must be >= 1')
    rate = video_rate(video)
    container = stream = audio = None
    written, held = 0, None
    batch_frames: List[np.ndarray] = []
    batch_times: List[float] = []

    def flush():
        nonlocal written, held, container, stream, audio
        todo = [i for i in range(len(batch_frames)) if (written + i) % interval == 0]
        maps = dict(zip(todo, localizer([batch_frames[i] for i in todo],
                                        [batch_times[i] for i in todo]))) if todo else {}
        for index, frame in enumerate(batch_frames):
            held = maps.get(index, held)
            drawn = draw_overlay(frame, held, alpha)
            height, width = drawn.shape[:2]
            if container is None:
                container, stream, audio = _open_output(
                    out, rate, width - width % 2, height - height % 2,
                    localizer.sample_rate if with_audio else None)
            drawn = np.ascontiguousarray(drawn[:stream.height, :stream.width])
            for packet in stream.encode(av.VideoFrame.from_ndarray(drawn, format='rgb24')):
                container.mux(packet)
        written += len(batch_frames)
        batch_frames.clear()
        batch_times.clear()

    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    try:
        for time, frame in video_frames(video):
            batch_frames.append(frame)
            batch_times.append(time)
            if len(batch_frames) == batch_size:
                flush()
        if batch_frames:
            flush()
        if container is None:
            raise ValueError(f'{video}: no frame decoded')
        for packet in stream.encode(None):
            container.mux(packet)
        if audio is not None:
            _encode_audio(container, audio, localizer.waveform, localizer.sample_rate)
    finally:
        if container is not None:
            container.close()
    return written
