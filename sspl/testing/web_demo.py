"""Uploads for the web demo's tests: a synthetic clip as a video (its frame and
its audio), as an image and a wav, and broken files; a random-weight
checkpoint of a config."""
import os.path as osp
import shutil

import numpy as np
import torch

from sspl.datasets.synthetic import make_clip

from .media import truncate


def synthetic_clip(index: int = 3):
    """A test clip of the synthetic set (frame ``(112, 112, 3)`` uint8, 16 kHz audio)."""
    return make_clip(0, 'test', index)


def write_clip_video(path: str, clip, seconds: float = 3.5, fps: int = 8,
                     audio: bool = True) -> str:
    """The clip's first frame held for ``seconds`` with its audio (tiled) as an
    mp4 (H.264 where PyAV has it, else MPEG-4; AAC mono)."""
    import av
    container = av.open(path, 'w')
    codec = 'libx264' if 'libx264' in av.codecs_available else 'mpeg4'
    video = container.add_stream(codec, rate=fps)
    video.width, video.height, video.pix_fmt = 112, 112, 'yuv420p'
    stream = None
    if audio:
        stream = container.add_stream('aac', rate=16000)
        stream.layout = 'mono'
    for _ in range(int(round(seconds * fps))):
        for packet in video.encode(av.VideoFrame.from_ndarray(clip['frames'][0], format='rgb24')):
            container.mux(packet)
    for packet in video.encode(None):
        container.mux(packet)
    if audio:
        samples = int(round(seconds * 16000))
        wave = np.resize(clip['audio'], samples).astype(np.float32)[None]
        for start in range(0, samples, 1024):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(wave[:, start:start + 1024]),
                                               format='fltp', layout='mono')
            frame.sample_rate, frame.pts = 16000, start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    container.close()
    return path


def write_image_and_audio(folder: str, clip, seconds: float = 3.0):
    """The clip's frame as a PNG and ``seconds`` of its audio as a wav."""
    import soundfile
    from PIL import Image
    image = osp.join(folder, 'frame.png')
    Image.fromarray(clip['frames'][0]).save(image)
    audio = osp.join(folder, f'audio_{seconds:g}s.wav')
    soundfile.write(audio, clip['audio'][:int(round(seconds * 16000))], 16000)
    return image, audio


def truncated_copy(path: str, out: str, fraction: float = 0.5) -> str:
    """A copy of the first ``fraction`` of a file's bytes (a cut download)."""
    shutil.copyfile(path, out)
    truncate(out, fraction)
    return out


def write_garbage(path: str, head: bytes = b'') -> str:
    """A file with a media name and no media in it."""
    with open(path, 'wb') as f:
        f.write(head + bytes(range(256)) * 8)
    return path


def random_checkpoint(cfg, path: str, seed: int = 0) -> str:
    """The state dict of ``cfg``'s model at random initialisation (no
    pretrained files read), saved as an sspl checkpoint."""
    from sspl.apis.model import without_pretrained_weights
    from sspl.registry import MODELS
    torch.manual_seed(seed)
    model = MODELS.build(without_pretrained_weights(cfg.model))
    model.init_weights()
    torch.save({'state_dict': model.state_dict()}, path)
    return path
