"""install_safe_checkpoint_loader: mmengine's own checkpoint loading refuses
a checkpoint that carries a pickled callable (the ``malicious`` fixture).
(The whole list: tests/test_utils/test_safe_loading.py.)"""
import pytest
import torch

from sspl.testing import MALICIOUS_REFUSED as REFUSED
from sspl.utils import CheckpointError


def test_mmengine_checkpoint_api(malicious):
    """``mmengine.runner.load_checkpoint`` (also behind ``init_cfg=dict(type='Pretrained')``)."""
    from mmengine.runner import load_checkpoint

    from sspl.engine.compat import install_safe_checkpoint_loader
    install_safe_checkpoint_loader()  # as tools/train.py and tools/test.py do
    path, marker = malicious
    with pytest.raises(CheckpointError, match=REFUSED):
        load_checkpoint(torch.nn.Linear(2, 2), path)
    assert not marker.exists()
