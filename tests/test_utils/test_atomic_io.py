"""sspl.utils.atomic_io: an interrupted write never costs the existing file.

(The checkpoint hook's side is in tests/test_engine/test_hooks/
test_atomic_checkpoint_hook.py; the SIGKILL-during-save case through
``tools/train.py`` in tests/test_engine/test_compat/test_resume.py.)
"""
import os.path as osp

import pytest
import torch

import sspl.utils.atomic_io as atomic_io
from sspl.testing import SimulatedCrash
from sspl.utils import safe_load


def test_interrupted_write_keeps_the_previous_file(tmp_path, crash_when_writing):
    path = tmp_path / 'model.pth'
    atomic_io.atomic_torch_save({'w': torch.ones(3)}, path)
    crash_when_writing('model.pth')
    with pytest.raises(SimulatedCrash):
        atomic_io.atomic_torch_save({'w': torch.zeros(1000)}, path)
    assert torch.equal(safe_load(path)['w'], torch.ones(3))
    assert not osp.exists(str(path) + atomic_io.TMP_SUFFIX)  # cleaned up on the way out
