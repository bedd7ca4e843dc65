"""Shared fixtures. Tests that need ``../shared`` (parity data, real metadata)
skip with a reason where it is absent; CI has it. The helpers behind them
are in ``sspl.testing``."""
import copy
import os
import os.path as osp
import uuid

import pytest

from sspl.testing.repo import REPO_ROOT, SHARED_DIR
from sspl.testing.repo import load_tool as _load_tool


def _require(path: str) -> str:
    if not osp.exists(path):
        pytest.skip(f'{path} is absent: the shared parity/metadata folder is not beside the '
                    'repository (CI has it at ../shared)')
    return path


@pytest.fixture(scope='session')
def repo_root() -> str:
    return REPO_ROOT


@pytest.fixture(scope='session')
def load_tool():
    """The function that imports a script of tools/ as a fresh module:
    ``load_tool('tools/test.py').main([...])`` (see ``sspl.testing.load_tool``)."""
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
def tiny_cfg():
    """``configs/sspl_w_pcm_synthetic.py`` (a small SSPL and its runtime) with a
    randomly initialised visual backbone (``sspl.testing.synthetic_config``)."""
    from sspl.testing import synthetic_config
    return synthetic_config()


@pytest.fixture
def tiny_model_cfg(tiny_cfg):
    """A copy of the synthetic config's model (random visual backbone)."""
    return copy.deepcopy(tiny_cfg.model)


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
    from sspl.testing import SimulatedCrash, half_write
    write = atomic_io._write_file

    def arm(name):
        def crash(file):
            raise SimulatedCrash(name)
        monkeypatch.setattr(atomic_io, '_write_file',
                            half_write(write, name + atomic_io.TMP_SUFFIX, crash))
    return arm


@pytest.fixture
def clips(tmp_path):
    """Six clips; clip 1 has no frame file, clip 3 a corrupt audio file."""
    import soundfile

    from sspl.testing import tone, write_frame
    items = []
    for index in range(6):
        frame, audio = tmp_path / f'f{index}.png', tmp_path / f'a{index}.wav'
        write_frame(str(frame), size=32, seed=index)
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
