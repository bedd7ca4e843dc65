#!/usr/bin/env python
"""Where does the sound come from? Overlay a localizer's heatmap on a video.

    python tools/demo/localize_video.py VIDEO CONFIG CHECKPOINT --out OUT.mp4
    python tools/demo/localize_video.py VIDEO CONFIG CHECKPOINT --frame 2.5 --out OUT.png

For each video frame at time t, the model sees the frame (through the test view
of CONFIG) and the ``--window`` seconds of the audio track centred at t (16 kHz
mono). Near the start and end the window is shifted to stay inside the clip; a
clip shorter than the window is tiled, as the dataset's ``LoadAudio`` does.
The heatmap (JET, blended like the published ``save_visual``) is drawn over the
part of the frame the network saw (a grey outline marks it when it is a crop).
The output video keeps the frame rate and the (even-cropped) frame size, and
carries the 16 kHz mono audio unless ``--no-audio``. Runs on CPU.
"""
import argparse
import os
import os.path as osp
from fractions import Fraction
from typing import Iterator, List, Optional, Tuple

import numpy as np


SAMPLE_RATE = 16000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Overlay sound source localisation maps on a '
                                     'video')
    parser.add_argument('video', help='input video with an audio track')
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', required=True,
                        help='output video (e.g. out.mp4), or a PNG with --frame')
    parser.add_argument('--frame', type=float, default=None, metavar='T',
                        help='only the frame at T seconds, written as a PNG')
    parser.add_argument('--device', default='cpu', help="e.g. 'cpu' or 'cuda:0'")
    parser.add_argument('--window', type=float, default=3.0,
                        help='audio window in seconds, centred at each frame (3 s: the '
                        "model's training length)")
    parser.add_argument('--interval', type=int, default=1,
                        help='compute a map every N frames and hold it in between (faster)')
    parser.add_argument('--batch-size', type=int, default=4, help='frames per forward pass')
    parser.add_argument('--alpha', type=float, default=0.5, help='heatmap weight in the blend')
    parser.add_argument('--no-audio', action='store_true', help='write the video without sound')
    args = parser.parse_args(argv)
    if args.interval < 1 or args.batch_size < 1:
        parser.error('--interval and --batch-size must be >= 1')
    if args.window <= 0:
        parser.error('--window must be > 0')
    return args


def load_audio_track(path: str) -> Tuple[np.ndarray, float]:
    """The first audio stream of ``path`` as 16 kHz mono float32 ``(L,)`` and
    its start time in seconds."""
    import av
    with av.open(path) as container:
        if not container.streams.audio:
            raise ValueError(f'{path}: the video has no audio track; the model needs the sound')
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format='flt', layout='mono', rate=SAMPLE_RATE)
        chunks, start = [], None
        for frame in container.decode(stream):
            if start is None and frame.time is not None:
                start = float(frame.time)
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    if not chunks or sum(chunk.size for chunk in chunks) == 0:
        raise ValueError(f'{path}: the audio track holds no samples')
    return np.concatenate(chunks).astype(np.float32), start or 0.0


def audio_window(waveform: np.ndarray, time: float, duration: float,
                 sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The ``duration`` s of ``waveform`` centred at ``time`` s, shifted to stay
    inside the clip; a clip shorter than that is returned whole (the model's
    ``LoadAudio`` semantics then tile it)."""
    length = int(round(duration * sample_rate))
    if waveform.shape[0] <= length:
        return waveform
    start = int(round(time * sample_rate)) - length // 2
    start = min(max(start, 0), waveform.shape[0] - length)
    return waveform[start:start + length]


def video_frames(path: str) -> Iterator[Tuple[float, np.ndarray]]:
    """``(time in s, (H, W, 3) uint8 RGB)`` of each frame of the first video stream."""
    import av
    with av.open(path) as container:
        if not container.streams.video:
            raise ValueError(f'{path}: no video stream')
        stream = container.streams.video[0]
        rate = float(stream.average_rate or 25)
        for index, frame in enumerate(container.decode(stream)):
            time = float(frame.time) if frame.time is not None else index / rate
            yield time, frame.to_ndarray(format='rgb24')


def video_rate(path: str) -> Fraction:
    import av
    with av.open(path) as container:
        if not container.streams.video:
            raise ValueError(f'{path}: no video stream')
        stream = container.streams.video[0]
        return Fraction(stream.average_rate or stream.guessed_rate or 25)


def draw_overlay(frame: np.ndarray, data_sample, alpha: float) -> np.ndarray:
    """The frame with the heatmap over the network's view (outlined in grey
    when it is only part of the frame)."""
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


class Localizer:
    """Maps of batches of (frame, time): the model and the audio track."""

    def __init__(self, model, waveform: np.ndarray, audio_start: float, window: float):
        self.model = model
        self.waveform = waveform
        self.audio_start = audio_start
        self.window = window

    def __call__(self, frames: List[np.ndarray], times: List[float]) -> list:
        from sspl.apis import inference_localizer
        audios = [audio_window(self.waveform, t - self.audio_start, self.window)
                  for t in times]
        return inference_localizer(self.model, frames, audios, sample_rate=SAMPLE_RATE)


def write_frame_png(args, localizer: Localizer) -> str:
    import cv2
    best = None
    for time, frame in video_frames(args.video):
        if best is None or abs(time - args.frame) < abs(best[0] - args.frame):
            best = (time, frame)
        elif time > args.frame:
            break
    if best is None:
        raise ValueError(f'{args.video}: no frame decoded')
    data_sample = localizer([best[1]], [best[0]])[0]
    drawn = draw_overlay(best[1], data_sample, args.alpha)
    out_dir = osp.dirname(osp.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    if not cv2.imwrite(args.out, cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR)):
        raise OSError(f'could not write {args.out}')
    print(f'frame at {best[0]:.3f} s -> {args.out}')
    return args.out


def _open_output(path: str, rate: Fraction, width: int, height: int, with_audio: bool):
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
    if with_audio:
        audio = container.add_stream('aac', rate=SAMPLE_RATE)
        audio.layout = 'mono'
    return container, video, audio


def _encode_audio(container, stream, waveform: np.ndarray) -> None:
    import av
    chunk = 1024
    for start in range(0, waveform.shape[0], chunk):
        piece = np.ascontiguousarray(waveform[start:start + chunk], dtype=np.float32)[None]
        frame = av.AudioFrame.from_ndarray(piece, format='flt', layout='mono')
        frame.sample_rate = SAMPLE_RATE
        frame.pts = start
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)


def write_video(args, localizer: Localizer) -> int:
    """Overlay every frame and encode; returns the number of frames written."""
    import av
    rate = video_rate(args.video)
    container = video = audio = None
    written, held = 0, None
    batch_frames, batch_times = [], []

    def flush():
        nonlocal written, held, container, video, audio
        todo = [i for i in range(len(batch_frames)) if (written + i) % args.interval == 0]
        maps = dict(zip(todo, localizer([batch_frames[i] for i in todo],
                                        [batch_times[i] for i in todo]))) if todo else {}
        for index, frame in enumerate(batch_frames):
            held = maps.get(index, held)
            drawn = draw_overlay(frame, held, args.alpha)
            height, width = drawn.shape[:2]
            if container is None:
                container, video, audio = _open_output(args.out, rate, width - width % 2,
                                                       height - height % 2, not args.no_audio)
            drawn = np.ascontiguousarray(drawn[:video.height, :video.width])
            out = av.VideoFrame.from_ndarray(drawn, format='rgb24')
            for packet in video.encode(out):
                container.mux(packet)
        written += len(batch_frames)
        batch_frames.clear()
        batch_times.clear()

    out_dir = osp.dirname(osp.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    try:
        for time, frame in video_frames(args.video):
            batch_frames.append(frame)
            batch_times.append(time)
            if len(batch_frames) == args.batch_size:
                flush()
        if batch_frames:
            flush()
        if container is None:
            raise ValueError(f'{args.video}: no frame decoded')
        for packet in video.encode(None):
            container.mux(packet)
        if audio is not None:
            _encode_audio(container, audio, localizer.waveform)
    finally:
        if container is not None:
            container.close()
    print(f'{written} frames -> {args.out}')
    return written


def main(argv=None) -> Optional[str]:
    args = parse_args(argv)
    from sspl.apis import init_localizer
    from sspl.utils import register_all_modules
    register_all_modules()
    if not osp.isfile(args.video):
        raise FileNotFoundError(f'{args.video}: no such video file')
    waveform, audio_start = load_audio_track(args.video)
    model = init_localizer(args.config, args.checkpoint, device=args.device)
    localizer = Localizer(model, waveform, audio_start, args.window)
    if args.frame is not None:
        return write_frame_png(args, localizer)
    write_video(args, localizer)
    return args.out


if __name__ == '__main__':
    main()
