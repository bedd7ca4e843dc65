"""AVDataPreprocessor: the log-mel its audio front end computes from the
waveform stays float32 under autocast."""
import pytest
import torch

from sspl.testing import build_model

pytestmark = pytest.mark.usefixtures('one_thread')  # (tests/conftest.py)


def test_log_mel_stays_float32_under_autocast(tiny_cfg, tiny_model_cfg):
    model = build_model(tiny_model_cfg)
    waveform = torch.rand(2, 48000) * 2 - 1
    frames = torch.zeros(2, 1, 3, 112, 112, dtype=torch.uint8)
    reference = model.data_preprocessor(dict(inputs=dict(frames=frames, waveform=waveform)))
    with torch.autocast('cpu', dtype=torch.bfloat16):
        mixed = model.data_preprocessor(dict(inputs=dict(frames=frames, waveform=waveform)))
    assert mixed['inputs']['log_mel'].dtype == torch.float32
    assert torch.equal(mixed['inputs']['log_mel'], reference['inputs']['log_mel'])
