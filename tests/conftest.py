"""Shared fixtures. Tests that need ``../shared`` (parity data, real metadata)
skip with a reason where it is absent; CI has it."""
import copy
import importlib.util
import os
import os.path as osp
import re
import sys
import uuid

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DIR = os.environ.get('SSPL_SHARED_DIR', osp.join(osp.dirname(REPO_ROOT), 'shared'))


def _require(path: str) -> str:
    if not osp.exists(path):
        pytest.skip(f'{path} is absent: the shared parity/metadata folder is not beside the '
                    'repository (CI has it at ../shared)')
    return path


def _load_tool(relative_path: str):
    """Import a script of the repository (e.g. ``'tools/test.py'``) as a fresh
    module: executed anew on each call, under a unique name, and registered in
    ``sys.modules`` (so pickle, and thus process pools and dataclasses, can find
    its functions and classes). The tool's ``main(argv)`` is its command line."""
    path = osp.join(REPO_ROOT, relative_path)
    stem = re.sub(r'\W', '_', osp.splitext(relative_path)[0])
    name = f'sspl_tool_{stem}_{uuid.uuid4().hex[:8]}'
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


@pytest.fixture(scope='session')
def repo_root() -> str:
    return REPO_ROOT


@pytest.fixture(scope='session')
def load_tool():
    """The function that imports a script of tools/ as a fresh module:
    ``load_tool('tools/test.py').main([...])`` (see ``_load_tool``)."""
    return _load_tool


@pytest.fixture(scope='session')
def shared_dir() -> str:
    return _require(SHARED_DIR)


@pytest.fixture(scope='session')
def parity_dir() -> str:
    return _require(osp.join(SHARED_DIR, 'parity'))


@pytest.fixture(scope='session')
def metadata_dir() -> str:
    return _require(osp.join(SHARED_DIR, 'metadata'))


@pytest.fixture(scope='session', autouse=True)
def _register_sspl():
    from sspl.utils import register_all_modules
    register_all_modules()


@pytest.fixture
def one_thread():
    """One torch intra-op thread for the test (restored afterwards): the CI
    machine is shared, and tiny ops on two contended threads are far slower.
    A module opts in with ``pytestmark = pytest.mark.usefixtures('one_thread')``."""
    import torch
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope='session')
def tiny_cfg(repo_root):
    """``configs/sspl_w_pcm_synthetic.py``: a small SSPL and its runtime."""
    from mmengine.config import Config
    return Config.fromfile(osp.join(repo_root, 'configs', 'sspl_w_pcm_synthetic.py'))


@pytest.fixture
def tiny_model_cfg(tiny_cfg):
    """The synthetic config's model with a randomly initialised visual
    backbone (the config's pretrained file is made by the demo, not here)."""
    model_cfg = copy.deepcopy(tiny_cfg.model)
    model_cfg.visual_backbone.pretrained = None
    return model_cfg


@pytest.fixture
def vggish_file(tmp_path, tiny_model_cfg):
    """A weights file of the tiny VGGish, and its backbone config."""
    import torch

    from sspl.registry import MODELS
    torch.manual_seed(1)
    vggish = MODELS.build(dict(tiny_model_cfg.audio_backbone, pretrained=None))
    path = str(tmp_path / 'vggish_tiny.pth')
    torch.save(vggish.state_dict(), path)
    return path, dict(tiny_model_cfg.audio_backbone, pretrained=path)


@pytest.fixture
def crash_when_writing(monkeypatch):
    """``crash_when_writing('name')``: the next write of ``name`` stops after
    half of the bytes with :class:`sspl.testing.faults.SimulatedCrash`."""
    import sspl.utils.atomic_io as atomic_io
    from sspl.testing.faults import SimulatedCrash
    write = atomic_io._write_file

    def arm(name):
        def half_then_crash(file, data):
            if osp.basename(file.name) == name + atomic_io.TMP_SUFFIX:
                file.write(data[:len(data) // 2])
                file.flush()
                raise SimulatedCrash(name)
            return write(file, data)
        monkeypatch.setattr(atomic_io, '_write_file', half_then_crash)
    return arm


@pytest.fixture
def clips(tmp_path):
    """Six clips; clip 1 has no frame file, clip 3 a corrupt audio file."""
    import soundfile

    from sspl.testing.reliability import tone, write_png_frame
    items = []
    for index in range(6):
        frame, audio = tmp_path / f'f{index}.png', tmp_path / f'a{index}.wav'
        write_png_frame(str(frame), size=32, seed=index)
        soundfile.write(str(audio), tone(1.0, 16000, 300.0 + 50 * index), 16000)
        items.append(dict(sample_id=f'clip{index}', frame_path=str(frame), audio_path=str(audio)))
    os.remove(tmp_path / 'f1.png')
    (tmp_path / 'a3.wav').write_bytes(b'RIFF0000WAVEjunk')
    return items


@pytest.fixture
def malicious(tmp_path):
    """A checkpoint-shaped file (state dict + meta) whose meta runs a command
    when unpickled; returns ``(path, marker)``: the marker must never appear.
    Every loader refuses it with :data:`sspl.testing.faults.MALICIOUS_REFUSED`."""
    import torch

    from sspl.testing.faults import Exploit
    marker = tmp_path / f'pwned_{uuid.uuid4().hex}'
    path = tmp_path / 'malicious.pth'
    torch.save({'state_dict': {'w': torch.zeros(2)}, 'meta': {'note': Exploit(marker)}}, path)
    # the file really is dangerous: plain pickle loading runs the command
    torch.load(path, weights_only=False)
    assert marker.exists()
    marker.unlink()
    return str(path), marker
