"""SSPL under bf16 autocast on CPU is close to float32.

Tolerances (bfloat16 keeps 8 bits of mantissa, about 2-3 significant digits,
and the errors of ~40 layers add up): the raw similarity maps (cosines, in
[-1, 1]) within 0.03 absolute of float32; the SimSiam loss (in [-1, 1])
within 0.02 absolute. Measured on an AVX-512 / AMX CPU (1 and 2 threads):
map error 0.0062 with oneDNN's native bf16 kernels, 0.0053 with oneDNN off
(the reference kernels an AVX2-only CPU runs); loss error 2.6e-4 / 3.9e-4.
The bounds are 5x and 50x those: the rounding of the inputs and weights to
bf16 dominates, and it is the same on every CPU.
"""
import pytest
import torch

from sspl.testing import build_model, varied_inputs as _inputs

pytestmark = pytest.mark.usefixtures('one_thread')  # (tests/conftest.py)

SIM_MAP_ATOL = 0.03
LOSS_ATOL = 0.02


def test_bf16_close_to_fp32(tiny_cfg, tiny_model_cfg):
    model = build_model(tiny_model_cfg)
    inputs = _inputs()
    model.eval()
    with torch.no_grad():
        fp32_maps = model.predict_maps(inputs['frames'][:, 0], inputs['log_mel'])
        with torch.autocast('cpu', dtype=torch.bfloat16):
            bf16_maps = model.predict_maps(inputs['frames'][:, 0], inputs['log_mel'])
    assert bf16_maps.dtype == torch.bfloat16  # autocast did act
    error = (bf16_maps.float() - fp32_maps).abs().max().item()
    assert 0 < error <= SIM_MAP_ATOL, error

    model.train()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    fp32_loss = model.loss(inputs)['loss']
    model.load_state_dict(state)  # same batch-norm statistics before the second pass
    with torch.autocast('cpu', dtype=torch.bfloat16):
        bf16_loss = model.loss(inputs)['loss']
    assert abs(bf16_loss.item() - fp32_loss.item()) <= LOSS_ATOL
