"""Mixed precision through the optim wrappers: the wrapper chosen per device,
a bf16 training step on CPU, and closeness of bf16 to float32.

Tolerances (bfloat16 keeps 8 bits of mantissa, about 2-3 significant digits,
and the errors of ~40 layers add up): the raw similarity maps (cosines, in
[-1, 1]) within 0.03 absolute of float32; the SimSiam loss (in [-1, 1])
within 0.02 absolute. Measured on an AVX-512 / AMX CPU (1 and 2 threads):
map error 0.0062 with oneDNN's native bf16 kernels, 0.0053 with oneDNN off
(the reference kernels an AVX2-only CPU runs); loss error 2.6e-4 / 3.9e-4.
The bounds are 5x and 50x those: the rounding of the inputs and weights to
bf16 dominates, and it is the same on every CPU.
"""
import os.path as osp

import pytest
import torch
from mmengine.optim import build_optim_wrapper

from sspl.testing.performance import build_model
from sspl.engine.optimizers import BF16OptimWrapper, amp_optim_wrapper_cfg

pytestmark = pytest.mark.usefixtures('one_thread')  # (tests/conftest.py)

SIM_MAP_ATOL = 0.03
LOSS_ATOL = 0.02


def _inputs(batch=4, size=112):
    """Samples that differ in scale and offset (a well-conditioned step)."""
    torch.manual_seed(3)
    scale = torch.linspace(0.5, 3.0, batch).view(batch, 1, 1, 1, 1)
    shift = torch.linspace(-1.0, 2.0, batch).view(batch, 1, 1, 1, 1)
    return dict(frames=torch.randn(batch, 2, 3, size, size) * scale + shift,
                log_mel=torch.randn(batch, 3, 1, 96, 64) * scale + shift)


def test_wrapper_per_device(monkeypatch):
    base = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-3),
                constructor='TrainableParamsOptimWrapperConstructor')
    cpu = amp_optim_wrapper_cfg(base, 'cpu')
    assert cpu['type'] == 'BF16OptimWrapper' and cpu['device_type'] == 'cpu'
    assert cpu['constructor'] == 'TrainableParamsOptimWrapperConstructor'
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported', lambda *a, **k: True)
    assert amp_optim_wrapper_cfg(base, 'cuda')['type'] == 'BF16OptimWrapper'
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported', lambda *a, **k: False)
    fp16 = amp_optim_wrapper_cfg(base, 'cuda:0')
    assert (fp16['type'], fp16['dtype'], fp16['loss_scale']) == (
        'AmpOptimWrapper', 'float16', 'dynamic')
    with pytest.raises(ValueError, match='not a plain OptimWrapper'):
        amp_optim_wrapper_cfg(dict(base, type='MyWrapper'), 'cpu')


def test_train_tool_amp_flag_picks_bf16_on_cpu(repo_root, monkeypatch, load_tool):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    train_tool = load_tool('tools/train.py')
    from mmengine.config import Config
    config = osp.join(repo_root, 'configs', 'sspl_w_pcm_synthetic.py')
    args = train_tool.parse_args([config, '--amp', '--work-dir', 'unused'])
    cfg = train_tool.merge_args(Config.fromfile(config), args)
    assert cfg.optim_wrapper.type == 'BF16OptimWrapper'
    assert cfg.optim_wrapper.constructor == 'TrainableParamsOptimWrapperConstructor'


def test_bf16_train_step_on_cpu(tiny_cfg, tiny_model_cfg):
    """A train step under BF16OptimWrapper: the layers run in bfloat16, the
    parameters stay float32 and are updated, the loss is finite."""
    model = build_model(tiny_model_cfg)
    optim_wrapper = build_optim_wrapper(model, amp_optim_wrapper_cfg(tiny_cfg.optim_wrapper,
                                                                     'cpu'))
    assert isinstance(optim_wrapper, BF16OptimWrapper)
    dtypes = []
    handle = model.neck.top_down[1].conv.register_forward_hook(
        lambda module, args, output: dtypes.append(output.dtype))
    before = model.neck.top_down[1].conv.weight.detach().clone()
    inputs = _inputs(batch=2)
    batch = dict(inputs=dict(frames=(inputs['frames'].clamp(-2, 2) * 60 + 128).byte(),
                             log_mel=inputs['log_mel']), data_samples=None)
    log_vars = model.train_step(batch, optim_wrapper)
    handle.remove()
    assert dtypes and all(dtype == torch.bfloat16 for dtype in dtypes)
    assert torch.isfinite(log_vars['loss'])
    weight = model.neck.top_down[1].conv.weight
    assert weight.dtype == torch.float32 and not torch.equal(weight, before)


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


def test_log_mel_stays_float32_under_autocast(tiny_cfg, tiny_model_cfg):
    model = build_model(tiny_model_cfg)
    waveform = torch.rand(2, 48000) * 2 - 1
    frames = torch.zeros(2, 1, 3, 112, 112, dtype=torch.uint8)
    reference = model.data_preprocessor(dict(inputs=dict(frames=frames, waveform=waveform)))
    with torch.autocast('cpu', dtype=torch.bfloat16):
        mixed = model.data_preprocessor(dict(inputs=dict(frames=frames, waveform=waveform)))
    assert mixed['inputs']['log_mel'].dtype == torch.float32
    assert torch.equal(mixed['inputs']['log_mel'], reference['inputs']['log_mel'])
