"""Mixed precision through the optim wrappers: the wrapper chosen per device
and a bf16 training step on CPU. (``tools/train.py --amp``:
tests/test_tools/test_train_amp_flag.py; closeness of bf16 to float32:
tests/test_models/test_localizers/test_sspl_bf16.py; the log-mel staying
float32: tests/test_models/test_data_preprocessors/test_av_data_preprocessor.py.)
"""
import pytest
import torch
from mmengine.optim import build_optim_wrapper

from sspl.engine.optimizers import BF16OptimWrapper, amp_optim_wrapper_cfg
from sspl.testing import build_model, varied_inputs as _inputs

pytestmark = pytest.mark.usefixtures('one_thread')  # (tests/conftest.py)


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
