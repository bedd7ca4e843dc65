"""Small builders shared by the reliability tests: media files in many
formats, tiny training configs on the synthetic dataset, and a recording logger."""
import copy
import os
import os.path as osp
from typing import List, Optional

import numpy as np

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SYNTHETIC_CONFIG = osp.join(REPO_ROOT, 'configs', 'sspl_w_pcm_synthetic.py')


def tone(seconds: float, rate: int, freq: float = 440.0, channels: int = 1) -> np.ndarray:
    """A sine, ``(n,)`` or ``(n, channels)`` float32 in [-0.5, 0.5]."""
    t = np.arange(int(round(seconds * rate))) / rate
    wave = (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return wave if channels == 1 else np.repeat(wave[:, None], channels, axis=1)


def dominant_frequency(waveform: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(waveform - waveform.mean()))
    return float(np.fft.rfftfreq(waveform.size, 1.0 / rate)[np.argmax(spectrum)])


def write_png_frame(path: str, size: int = 64, seed: int = 0) -> np.ndarray:
    from PIL import Image
    image = np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)
    Image.fromarray(image).save(path)
    return image


def truncate(path: str, fraction: float = 0.5) -> None:
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:int(len(data) * fraction)])


def tiny_train_config(tmp_dir: str, data_root: str, max_epochs: int = 2,
                      extra_custom_hooks: Optional[List[dict]] = None, **overrides):
    """The synthetic SSPL config shrunk for CPU tests: 8 training clips in
    batches of 4 (2 iterations per epoch), 4 validation clips, no dataloader
    workers, deterministic, LocalVisBackend only, one checkpoint kept, a
    randomly initialised visual backbone."""
    from mmengine.config import Config
    cfg = Config.fromfile(SYNTHETIC_CONFIG)
    cfg.model.visual_backbone.pretrained = None  # random init: plumbing, not accuracy
    for split, num in (('train', 8), ('val', 4), ('test', 4)):
        loader = cfg[f'{split}_dataloader']
        loader.update(batch_size=4, num_workers=0, persistent_workers=False)
        loader.dataset.update(data_root=data_root, num_samples=num)
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    if 'visualization' in cfg.default_hooks:
        cfg.default_hooks.visualization.enable = False
    cfg.default_hooks.checkpoint.max_keep_ckpts = 1
    cfg.default_hooks.logger.interval = 1
    cfg.train_cfg.max_epochs = max_epochs
    cfg.randomness = dict(seed=7, deterministic=True)
    cfg.work_dir = osp.join(tmp_dir, 'work_dir')
    if extra_custom_hooks:
        cfg.custom_hooks = list(cfg.custom_hooks) + list(extra_custom_hooks)
    for key, value in overrides.items():
        cfg[key] = value
    return copy.deepcopy(cfg)


def dump_config(cfg, path: str, fault: Optional[dict] = None) -> str:
    """Write ``cfg`` to ``path``; ``fault``: arguments of the FaultInjectionHook
    (``sspl/testing/fault_injection.py``) to add."""
    cfg = copy.deepcopy(cfg)
    if fault:
        cfg.custom_imports = dict(imports=['sspl.testing.fault_injection'],
                                  allow_failed_imports=False)
        cfg.custom_hooks = list(cfg.custom_hooks) + [dict(type='FaultInjectionHook', **fault)]
    cfg.dump(path)
    return path


def subprocess_env() -> dict:
    """Environment of the training subprocesses: one thread (the in-process
    reference runs with one too, so results are comparable bit for bit)."""
    return dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')


class RecordingLogger:
    """Stands in for ``runner.logger``: keeps ``(level, message)`` pairs."""

    def __init__(self):
        self.records = []

    def log(self, level, message):
        self.records.append((level, message))

    def info(self, message):
        self.log(20, message)

    def warning(self, message):
        self.log(30, message)

    def error(self, message):
        self.log(40, message)

    def text(self) -> str:
        return '\n'.join(message for _, message in self.records)
