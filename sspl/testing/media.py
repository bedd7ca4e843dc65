"""Small media files for the tests: videos encoded with PyAV, frames, wavs,
tones, damaged files, and the benchmarks' annotation files. One writer of
each kind; the content (grey levels, a moving square, noise or a tone) is an
argument."""
import os
import os.path as osp
from typing import Callable, Optional, Tuple, Union

import numpy as np

#: grey level of frame i of a test video: frames are told apart after lossy coding
FRAME_LEVEL_STEP = 6

#: (H, W, 3) uint8 image of frame ``index`` of a video of ``(width, height)``
FramePainter = Callable[[int, Tuple[int, int]], np.ndarray]


def frame_level(index: int) -> int:
    return 10 + FRAME_LEVEL_STEP * index


def grey_level_frame(index: int, size: Tuple[int, int]) -> np.ndarray:
    """A uniform grey of :func:`frame_level` (index) with a white bar on the
    left (4 px): the frame's index can be read back after lossy coding."""
    image = np.full((size[1], size[0], 3), frame_level(index), np.uint8)
    image[:, :4] = 255
    return image


def uniform_frame(level: int = 90) -> FramePainter:
    """Every frame a uniform grey of ``level``."""
    def paint(index: int, size: Tuple[int, int]) -> np.ndarray:
        return np.full((size[1], size[0], 3), level, np.uint8)
    return paint


def moving_square_frame(step: int, start: int = 4, side: int = 20, top: int = 20,
                        level: int = 90) -> FramePainter:
    """A red ``side`` px square sliding right by ``step`` px a frame (from x =
    ``start``, rows ``top`` to ``top + side``) over a uniform grey."""
    def paint(index: int, size: Tuple[int, int]) -> np.ndarray:
        image = np.full((size[1], size[0], 3), level, np.uint8)
        x = start + step * index
        image[top:top + side, x:x + side] = (255, 0, 0)
        return image
    return paint


def make_video(path: str, seconds: float = 3.0, fps: int = 10, size: Tuple[int, int] = (64, 48),
               rate: int = 44100, channels: int = 2, audio: bool = True, video: bool = True,
               tone_hz: float = 440.0, amplitude: float = 0.3,
               frame: FramePainter = grey_level_frame, num_frames: Optional[int] = None,
               bit_rate: Optional[int] = 4_000_000) -> str:
    """An mp4 (MPEG-4 part 2 video, AAC audio) of ``size`` = (width, height):
    ``num_frames`` (default ``seconds * fps``) frames painted by ``frame``
    (default :func:`grey_level_frame`), and ``seconds`` of a tone of
    ``tone_hz`` and ``amplitude`` in each of ``channels`` (1 or 2) at ``rate``.
    ``bit_rate=None``: the encoder's default."""
    import av
    path = str(path)
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    container = av.open(path, 'w')
    if video:
        vstream = container.add_stream('mpeg4', rate=fps)
        vstream.width, vstream.height = size
        vstream.pix_fmt = 'yuv420p'
        if bit_rate is not None:
            vstream.bit_rate = bit_rate
    if audio:
        astream = container.add_stream('aac', rate=rate)
        astream.layout = 'stereo' if channels == 2 else 'mono'
    if video:
        count = int(round(seconds * fps)) if num_frames is None else num_frames
        for index in range(count):
            for packet in vstream.encode(av.VideoFrame.from_ndarray(frame(index, size),
                                                                    format='rgb24')):
                container.mux(packet)
        for packet in vstream.encode():
            container.mux(packet)
    if audio:
        data = np.ascontiguousarray(np.stack([tone(seconds, rate, tone_hz, amplitude=amplitude)]
                                             * channels))
        for start in range(0, data.shape[1], 1024):
            chunk = av.AudioFrame.from_ndarray(np.ascontiguousarray(data[:, start:start + 1024]),
                                               format='fltp', layout=astream.layout.name)
            chunk.sample_rate, chunk.pts = rate, start
            for packet in astream.encode(chunk):
                container.mux(packet)
        for packet in astream.encode():
            container.mux(packet)
    container.close()
    return path


def make_moving_square_video(path: str, num_frames: int = 6, fps: int = 6,
                             size: Tuple[int, int] = (64, 96), step: int = 8, channels: int = 1,
                             audio: bool = True, seconds: Optional[float] = None) -> str:
    """:func:`make_video` of ``num_frames`` frames of ``size`` = (height,
    width): a red square sliding right by ``step`` px a frame over grey, with
    a 440 Hz tone (0.4) at 44.1 kHz in ``channels`` lasting ``seconds``
    (default ``num_frames / fps``); ``audio=False``: no audio track."""
    height, width = size
    return make_video(path, seconds=num_frames / fps if seconds is None else seconds, fps=fps,
                      size=(width, height), channels=channels, audio=audio, amplitude=0.4,
                      frame=moving_square_frame(step), num_frames=num_frames, bit_rate=None)


def make_corrupt_video(path: str) -> str:
    """A file with a video name and garbage content."""
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    with open(path, 'wb') as f:
        f.write(b'this is not a video ' * 64)
    return path


def write_frame(path: str, size: Union[int, Tuple[int, int]] = 64, seed: int = 0) -> np.ndarray:
    """A random RGB frame of ``size`` = (width, height) (an int: square),
    saved in the format of ``path``'s extension; returns the image."""
    from PIL import Image
    width, height = (size, size) if isinstance(size, int) else size
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    Image.fromarray(image).save(path)
    return image


def tone(seconds: float, rate: int, freq: float = 440.0, channels: int = 1,
         amplitude: float = 0.5) -> np.ndarray:
    """A sine, ``(n,)`` or ``(n, channels)`` float32 in [-amplitude, amplitude]."""
    t = np.arange(int(round(seconds * rate))) / rate
    wave = (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return wave if channels == 1 else np.repeat(wave[:, None], channels, axis=1)


def write_wav(path: str, seconds: float = 1.0, rate: int = 16000, channels: int = 1,
              seed: int = 0, noise: float = 0.1, tone_hz: Optional[float] = None,
              tone_amplitude: float = 0.5, dtype=np.float64) -> str:
    """A 16-bit wav: Gaussian noise of standard deviation ``noise`` (seeded),
    plus, with ``tone_hz``, a sine of ``tone_amplitude`` in every channel.
    ``dtype``: of the samples given to the encoder (float32 and float64
    samples can round to PCM values one step apart)."""
    import soundfile
    path = str(path)
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    rng = np.random.default_rng(seed)
    count = int(seconds * rate)
    data = noise * rng.standard_normal((count, channels))
    if tone_hz is not None:
        t = np.arange(count) / rate
        data = data + tone_amplitude * np.sin(2 * np.pi * tone_hz * t)[:, None]
    soundfile.write(path, data.astype(dtype), rate, subtype='PCM_16')
    return path


def write_tone_wav(path: str, seconds: float = 2.0, seed: int = 0, rate: int = 16000) -> str:
    """:func:`write_wav` of a 440 Hz tone (0.5) with a little noise (0.05),
    encoded from float32 samples."""
    return write_wav(path, seconds=seconds, rate=rate, seed=seed, noise=0.05, tone_hz=440.0,
                     dtype=np.float32)


def dominant_frequency(waveform: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(waveform - waveform.mean()))
    return float(np.fft.rfftfreq(waveform.size, 1.0 / rate)[np.argmax(spectrum)])


def truncate(path: str, fraction: float = 0.5) -> None:
    """Cut the file to ``fraction`` of its bytes (a torn download)."""
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:int(len(data) * fraction)])


def write_group_csv(path: str, rows, header: Optional[str] = 'start_fid,start_time,bbox,ssl'):
    """A Chaotic World per-video annotation csv; ``rows``:
    ``(start_fid, start_time, [[x0, y0, x1, y1]], class)``."""
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    with open(path, 'w') as f:
        f.write(header + '\n')
        for fid, time, boxes, name in rows:
            f.write(f'{fid},{time},"{boxes}",{name}\n')
    return path
