"""A checkpoint that carries a pickled callable is refused, with a clear
message and no side effect, by every place that loads checkpoints or weights
(the ``malicious`` fixture of tests/conftest.py is the file). Here
``sspl.utils.safe_load``, which they all use; the others:
tests/test_tools/test_safe_loading_tools.py (tools/train.py --resume,
tools/test.py, the SSPL converter), tests/test_apis/test_init_localizer.py,
tests/test_models/test_backbones/test_vgg16_vggish.py (pretrained backbone
weights), tests/test_engine/test_compat/test_safe_checkpoint_loader.py
(mmengine's load_checkpoint)."""
import pytest

from sspl.testing import MALICIOUS_REFUSED as REFUSED
from sspl.utils import CheckpointError, safe_load


def test_safe_load(malicious):
    path, marker = malicious
    with pytest.raises(CheckpointError, match=REFUSED):
        safe_load(path)
    assert not marker.exists()
