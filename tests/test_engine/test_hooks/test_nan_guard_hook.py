"""A NaN/Inf loss stops training at once, before the optimizer step, with the
iteration named and the state saved for inspection."""
import glob
import os.path as osp
import uuid

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

from sspl.engine.hooks import NonFiniteLossError
from sspl.registry import DATASETS, HOOKS, MODELS
from sspl.testing import SYNTHETIC_CONFIG
from sspl.utils import safe_load


@MODELS.register_module(name='TestToyRegressor', force=True)
class ToyRegressor(BaseModel):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        prediction = self.linear(inputs)
        if mode == 'loss':
            return dict(loss=(prediction ** 2).mean())
        return prediction


@DATASETS.register_module(name='TestToyVectors', force=True)
class ToyVectors(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, index):
        return dict(inputs=torch.tensor([float(index), 1.0]),
                    data_samples=dict(sample_id=f'toy{index}'))


@HOOKS.register_module(name='TestPoisonWeights', force=True)
class PoisonWeights(Hook):
    """Before iteration ``at_iter`` (1-based) put a NaN into the weights, as a
    diverging run would; remember the weights just before."""

    def __init__(self, at_iter):
        self.at_iter = at_iter
        self.before = None

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter + 1 == self.at_iter:
            self.before = {k: v.clone() for k, v in runner.model.state_dict().items()}
            with torch.no_grad():
                runner.model.linear.weight[0, 0] = float('nan')


def toy_runner(work_dir, guard=True):
    name = f'nan_{uuid.uuid4().hex[:8]}'
    custom_hooks = [dict(type='TestPoisonWeights', at_iter=3)]
    if guard:
        custom_hooks.insert(0, dict(type='NaNGuardHook'))
    cfg = Config(dict(
        model=dict(type='TestToyRegressor'), work_dir=str(work_dir), experiment_name=name,
        default_scope='sspl',
        train_dataloader=dict(dataset=dict(type='TestToyVectors'), batch_size=2,
                              sampler=dict(type='KeyedSampler', shuffle=False),
                              collate_fn=dict(type='default_collate'), num_workers=0),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        train_cfg=dict(by_epoch=True, max_epochs=2),
        default_hooks=dict(checkpoint=dict(type='AtomicCheckpointHook', interval=1)),
        custom_hooks=custom_hooks + [dict(type='CheckpointCompatHook')],
        visualizer=dict(type='Visualizer', name=name), randomness=dict(seed=0)))
    return Runner.from_cfg(cfg)


def test_nan_loss_stops_before_the_step_and_saves_the_state(tmp_path):
    runner = toy_runner(tmp_path)
    with pytest.raises(NonFiniteLossError, match=r'Non-finite loss at iteration 3 \(epoch 1\): '
                                                 r'loss=nan; found before the optimizer step'):
        runner.train()
    poison, = [hook for hook in runner.hooks if isinstance(hook, PoisonWeights)]
    path = osp.join(tmp_path, 'nonfinite_loss_iter_3.pth')
    state = safe_load(path)  # weights_only: plain tensors and values
    assert state['meta']['iter'] == 3 and state['meta']['epoch'] == 1
    assert state['meta']['before_optimizer_step'] is True
    assert state['meta']['sample_ids'] == ['toy4', 'toy5']
    assert torch.equal(state['inputs']['inputs'] if isinstance(state['inputs'], dict)
                       else state['inputs'], torch.tensor([[4.0, 1.0], [5.0, 1.0]]))
    # the optimizer never stepped on the NaN: every other weight is as before the iteration
    assert torch.equal(state['state_dict']['linear.bias'], poison.before['linear.bias'])
    assert torch.isnan(state['state_dict']['linear.weight'][0, 0])
    assert torch.equal(state['state_dict']['linear.weight'][0, 1],
                       poison.before['linear.weight'][0, 1])
    assert 'param_groups' in state['optimizer']
    assert runner.iter == 2  # iteration 3 never completed


def test_without_the_guard_training_goes_on_with_garbage(tmp_path):
    runner = toy_runner(tmp_path, guard=False)
    runner.train()  # no error: this is what the guard prevents
    assert torch.isnan(runner.model.linear.bias).all()
    assert not glob.glob(osp.join(tmp_path, 'nonfinite_loss_iter_*.pth'))


def test_loss_check_after_the_step_catches_what_the_forward_hook_cannot(tmp_path):
    """Fallback on the values ``train_step`` returns (e.g. a model whose
    forward is not called through ``__call__``)."""
    from types import SimpleNamespace
    from sspl.engine.hooks import NaNGuardHook
    from mmengine.logging import MessageHub
    hook = NaNGuardHook()
    model = torch.nn.Linear(1, 1)
    runner = SimpleNamespace(
        iter=6, epoch=1, work_dir=str(tmp_path), model=model,
        optim_wrapper=SimpleNamespace(state_dict=lambda: {}),
        message_hub=MessageHub.get_instance(uuid.uuid4().hex),
        logger=SimpleNamespace(error=lambda message: None))
    hook.after_train_iter(runner, 0, data_batch={}, outputs={'loss': torch.tensor(1.0)})
    with pytest.raises(NonFiniteLossError, match=r'iteration 7 \(epoch 2\): loss=inf; found '
                                                 'after the optimizer step'):
        hook.after_train_iter(runner, 0, data_batch={},
                              outputs={'loss': torch.tensor(float('inf'))})
    assert safe_load(osp.join(tmp_path, 'nonfinite_loss_iter_7.pth'))['meta']['losses'] == {
        'loss': float('inf')}


def test_the_default_runtime_has_the_guard():
    cfg = Config.fromfile(SYNTHETIC_CONFIG)
    assert dict(type='NaNGuardHook') in cfg.custom_hooks
