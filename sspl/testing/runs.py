"""Running the tools and training runs in tests, and comparing their results:
subprocess environments, a free port, a logger that records, and the checks
that a resumed run ended as the uninterrupted one."""
import glob
import json
import os
import os.path as osp
import socket
import subprocess
from typing import Optional

import torch

from .repo import REPO_ROOT


def subprocess_env() -> dict:
    """Environment of the training subprocesses: one thread (the in-process
    reference runs with one too, so results are comparable bit for bit)."""
    return dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')


def run_command(args: list, env_extra: Optional[dict] = None, timeout: float = 600) -> str:
    """Run ``args`` (e.g. ``[sys.executable, 'tools/test.py', ...]``) from the
    repository root as a user would, on one thread and without warnings; it
    must succeed. Returns its stdout + stderr."""
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    env.update(env_extra or {})
    result = subprocess.run(args, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


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


def assert_same_tree(a, b, path: str = 'checkpoint') -> None:
    """``a`` and ``b`` (nested dicts / lists of tensors and values, e.g. two
    checkpoints) are equal, tensors bit for bit; the error names the path."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and torch.equal(a, b), path
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            assert_same_tree(a[key], b[key], f'{path}.{key}')
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for index, (x, y) in enumerate(zip(a, b)):
            assert_same_tree(x, y, f'{path}[{index}]')
    else:
        assert a == b, f'{path}: {a!r} != {b!r}'


def last_validation(work_dir: str, epoch: int):
    """Metrics and per-sample results of the validation of ``epoch`` (newest run
    in ``work_dir``), as ``PerSampleResultsHook`` wrote them."""
    paths = sorted(glob.glob(osp.join(work_dir, '*', 'per_sample', f'val_epoch_{epoch}.json')))
    with open(paths[-1]) as f:
        results = json.load(f)
    return results['metrics'], results['samples']
