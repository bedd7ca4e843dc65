"""TrainableParamsOptimWrapperConstructor: frozen parameters left out,
absolute lr / weight decay per custom key, and its former name an alias."""
import pytest
import torch.nn as nn
from mmengine.optim import build_optim_wrapper


class TwoParts(nn.Module):
    def __init__(self):
        super().__init__()
        self.frozen = nn.Linear(2, 2)
        self.body = nn.Linear(2, 3)
        self.gates = nn.Parameter(nn.init.ones_(nn.Linear(1, 1).weight))
        for param in self.frozen.parameters():
            param.requires_grad = False


def _groups(constructor: str):
    model = TwoParts()
    optim_wrapper = build_optim_wrapper(model, dict(
        type='OptimWrapper', constructor=constructor,
        optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.1),
        paramwise_cfg=dict(custom_keys={'body': dict(lr=5e-5),
                                        'gates': dict(lr=2e-5, decay_mult=0.0)})))
    names = {id(p): n for n, p in model.named_parameters()}
    return {names[id(p)]: (group['lr'], group['weight_decay'])
            for group in optim_wrapper.optimizer.param_groups for p in group['params']}


def test_frozen_out_absolute_lr_in():
    groups = _groups('TrainableParamsOptimWrapperConstructor')
    assert sorted(groups) == ['body.bias', 'body.weight', 'gates']
    assert groups['body.weight'] == pytest.approx((5e-5, 0.1))
    assert groups['gates'] == pytest.approx((2e-5, 0.0))


def test_frozen_out_without_paramwise_options():
    """No paramwise_cfg at all (e.g. one Adam over a whole model): frozen
    parameters, and those updated without gradients (SLAVC's momentum
    networks), still stay out of the optimizer (mmengine would take all)."""
    model = TwoParts()
    optim_wrapper = build_optim_wrapper(model, dict(
        type='OptimWrapper', constructor='TrainableParamsOptimWrapperConstructor',
        optimizer=dict(type='Adam', lr=1e-4)))
    names = {id(p): n for n, p in model.named_parameters()}
    optimized = sorted(names[id(p)] for group in optim_wrapper.optimizer.param_groups
                       for p in group['params'])
    assert optimized == ['body.bias', 'body.weight', 'gates']
    assert all(group['lr'] == 1e-4 for group in optim_wrapper.optimizer.param_groups)


def test_former_name_is_the_same_constructor():
    from sspl.engine.optimizers import TrainableParamsOptimWrapperConstructor
    from sspl.registry import OPTIM_WRAPPER_CONSTRUCTORS
    assert OPTIM_WRAPPER_CONSTRUCTORS.get('SSPLOptimWrapperConstructor') is \
        TrainableParamsOptimWrapperConstructor
    assert _groups('SSPLOptimWrapperConstructor') == _groups(
        'TrainableParamsOptimWrapperConstructor')
