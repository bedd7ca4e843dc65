"""The channels-last VGG16 and VGGish give the numbers of the NCHW ones at
the published sizes (where oneDNN picks its real kernels), within the parity
tolerance (``../shared/parity``: 1e-4 of each array's largest magnitude), and
stay channels-last when weights are loaded. (The SSPL fast paths:
tests/test_models/test_localizers/test_sspl_fast_paths.py.)"""
import pytest
import torch

from sspl.models.backbones import VGG16, VGGish
from sspl.testing import assert_parity_close

pytestmark = pytest.mark.usefixtures('one_thread')  # (tests/conftest.py)


def _pair(cls, **kwargs):
    torch.manual_seed(0)
    reference = cls(**kwargs)
    reference.init_weights()
    fast = cls(channels_last=True, **kwargs)
    fast.load_state_dict(reference.state_dict())
    return reference, fast


def test_channels_last_vgg16_published_size():
    reference, fast = _pair(VGG16)
    assert fast.features[0].weight.is_contiguous(memory_format=torch.channels_last)
    frames = torch.randn(1, 3, 224, 224)
    expected, actual = reference(frames), fast(frames)
    assert actual.shape == (1, 512, 14, 14)
    assert actual.is_contiguous()  # NCHW again for the PCM
    assert_parity_close(actual, expected)


def test_channels_last_survives_weight_loading():
    reference, fast = _pair(VGG16, num_stages=2, width_mult=0.25)
    fast.load_state_dict({k: v + 1 for k, v in reference.state_dict().items()})
    assert fast.features[0].weight.is_contiguous(memory_format=torch.channels_last)


def test_channels_last_vggish_published_size():
    reference, fast = _pair(VGGish)
    assert fast.features[0].weight.is_contiguous(memory_format=torch.channels_last)
    examples = torch.randn(3, 1, 96, 64)
    assert_parity_close(fast(examples), reference(examples))
