"""Small media files for the dataset tests: videos encoded with PyAV, frames,
wavs, and the benchmarks' annotation files."""
import os
import os.path as osp
from typing import Optional, Tuple

import numpy as np

#: grey level of frame i of a test video: frames are told apart after lossy coding
FRAME_LEVEL_STEP = 6


def frame_level(index: int) -> int:
    return 10 + FRAME_LEVEL_STEP * index


def make_video(path: str, seconds: float = 3.0, fps: int = 10, size: Tuple[int, int] = (64, 48),
               rate: int = 44100, channels: int = 2, audio: bool = True, video: bool = True,
               tone_hz: float = 440.0) -> str:
    """An mp4 (MPEG-4 part 2 video, AAC audio): frame i is a uniform grey of
    :func:`frame_level` (i) with a white bar; the audio a tone in every channel."""
    import av
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    container = av.open(path, 'w')
    if video:
        vstream = container.add_stream('mpeg4', rate=fps)
        vstream.width, vstream.height = size
        vstream.pix_fmt = 'yuv420p'
        vstream.bit_rate = 4_000_000
    if audio:
        astream = container.add_stream('aac', rate=rate)
        astream.layout = 'stereo' if channels == 2 else 'mono'
    if video:
        for index in range(int(round(seconds * fps))):
            image = np.full((size[1], size[0], 3), frame_level(index), np.uint8)
            image[:, :4] = 255
            for packet in vstream.encode(av.VideoFrame.from_ndarray(image, format='rgb24')):
                container.mux(packet)
        for packet in vstream.encode():
            container.mux(packet)
    if audio:
        t = np.arange(int(round(seconds * rate))) / rate
        signal = (0.3 * np.sin(2 * np.pi * tone_hz * t)).astype(np.float32)
        data = np.ascontiguousarray(np.stack([signal] * channels))
        for start in range(0, data.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(data[:, start:start + 1024]),
                                               format='fltp', layout=astream.layout.name)
            frame.sample_rate, frame.pts = rate, start
            for packet in astream.encode(frame):
                container.mux(packet)
        for packet in astream.encode():
            container.mux(packet)
    container.close()
    return path


def make_corrupt_video(path: str) -> str:
    """A file with a video name and garbage content."""
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    with open(path, 'wb') as f:
        f.write(b'this is not a video ' * 64)
    return path


def write_frame(path: str, size: Tuple[int, int], seed: int = 0) -> str:
    """A random RGB frame of ``size`` = (width, height)."""
    from PIL import Image
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)).save(path)
    return path


def write_wav(path: str, seconds: float = 1.0, rate: int = 16000, channels: int = 1,
              seed: int = 0) -> str:
    import soundfile
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    rng = np.random.default_rng(seed)
    data = 0.1 * rng.standard_normal((int(seconds * rate), channels))
    soundfile.write(path, data, rate, subtype='PCM_16')
    return path


def write_group_csv(path: str, rows, header: Optional[str] = 'start_fid,start_time,bbox,ssl'):
    """A Chaotic World per-video annotation csv; ``rows``:
    ``(start_fid, start_time, [[x0, y0, x1, y1]], class)``."""
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    with open(path, 'w') as f:
        f.write(header + '\n')
        for fid, time, boxes, name in rows:
            f.write(f'{fid},{time},"{boxes}",{name}\n')
    return path
