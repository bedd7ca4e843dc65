"""Stop training at the first non-finite loss, with the state to inspect."""
import math
import os.path as osp
from functools import partial
from typing import Any, Dict, List, Optional

import torch
from mmengine.dist import get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from sspl.registry import HOOKS
from sspl.utils.atomic_io import atomic_torch_save


class NonFiniteLossError(FloatingPointError):
    """A loss became NaN or infinite; training was stopped."""


def non_finite_losses(losses: Any) -> Dict[str, float]:
    """The entries of a loss dict (``{name: tensor or list of tensors}``) whose
    name contains ``'loss'`` (mmengine's convention for what is optimised) and
    whose value is not finite, as ``{name: value}``."""
    if not isinstance(losses, dict):
        return {}
    bad = {}
    for name, value in losses.items():
        if 'loss' not in name:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, torch.Tensor):
                if not bool(torch.isfinite(item.detach()).all()):
                    bad[name] = float(item.detach().float().mean())
                    break
            elif isinstance(item, (int, float)) and not math.isfinite(item):
                bad[name] = float(item)
                break
    return bad


def _to_cpu(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {key: _to_cpu(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_cpu(item) for item in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _sample_ids(data_samples: Any) -> List[str]:
    if isinstance(data_samples, dict):  # plain dicts, collated into a dict of lists
        ids = data_samples.get('sample_id', [])
        return [str(i) for i in ids] if isinstance(ids, (list, tuple)) else [str(ids)]
    ids = []
    for sample in data_samples or []:
        metainfo = getattr(sample, 'metainfo', None) or (sample if isinstance(sample, dict) else {})
        ids.append(str(metainfo.get('sample_id', '?')))
    return ids


@HOOKS.register_module()
class NaNGuardHook(Hook):
    """Stop training when a loss is NaN or infinite, before it corrupts the model.

    The check runs on the model's loss dict as soon as the forward pass returns
    it (a forward hook on the model, ``mode='loss'``), i.e. before the backward
    pass and the optimizer step, so the weights are still those that produced
    the bad loss. It writes, atomically, ``<work_dir>/nonfinite_loss_iter_<N>.pth``
    (``torch.load(path, weights_only=True)``): ``meta`` (iteration, epoch, the
    bad losses, the batch's sample ids), ``state_dict`` (model), ``optimizer``
    and ``inputs`` (the preprocessed batch), logs the iteration, and raises
    :class:`NonFiniteLossError`. The last regular checkpoint is untouched and
    can be resumed (e.g. with a lower learning rate). As a fallback, the loss
    values the train step returns are checked after every iteration too (for
    models whose forward is not called through ``__call__``); a failure there
    is reported as found after the optimizer step.

    Args:
        save_state: write the state file.
        filename_tmpl: its name in the work dir, formatted with the 1-based
            iteration.
    """

    priority = 'VERY_HIGH'

    def __init__(self, save_state: bool = True,
                 filename_tmpl: str = 'nonfinite_loss_iter_{}.pth'):
        self.save_state = save_state
        self.filename_tmpl = filename_tmpl
        self._handle = None

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        self._handle = model.register_forward_hook(partial(self._check_forward, runner),
                                                   with_kwargs=True)

    def after_train(self, runner) -> None:
        if self._handle is not None:
            self._handle.remove()
            self._handle = None

    def _check_forward(self, runner, module, args, kwargs, output) -> None:
        if kwargs.get('mode') != 'loss' or not module.training:
            return
        bad = non_finite_losses(output)
        if bad:
            self._stop(runner, bad, inputs=kwargs.get('inputs'),
                       data_samples=kwargs.get('data_samples'), before_step=True)

    def after_train_iter(self, runner, batch_idx: int, data_batch: Any = None,
                         outputs: Optional[dict] = None) -> None:
        bad = non_finite_losses(outputs)
        if bad:
            data_batch = data_batch if isinstance(data_batch, dict) else {}
            self._stop(runner, bad, inputs=data_batch.get('inputs'),
                       data_samples=data_batch.get('data_samples'), before_step=False)

    def _stop(self, runner, bad: Dict[str, float], inputs: Any, data_samples: Any,
              before_step: bool) -> None:
        iteration, epoch = runner.iter + 1, runner.epoch + 1
        sample_ids = _sample_ids(data_samples)
        losses = ', '.join(f'{name}={value}' for name, value in bad.items())
        when = ('before the optimizer step (the weights are those that produced it)'
                if before_step else 'after the optimizer step')
        message = (f'Non-finite loss at iteration {iteration} (epoch {epoch}): {losses}; '
                   f'found {when}. Training stopped.')
        if self.save_state:
            name = self.filename_tmpl.format(iteration)
            if get_world_size() > 1:
                name = osp.splitext(name)[0] + f'_rank{get_rank()}.pth'
            path = osp.join(runner.work_dir, name)
            model = runner.model.module if is_model_wrapper(runner.model) else runner.model
            state = dict(
                meta=dict(iter=iteration, epoch=epoch, losses=bad, sample_ids=sample_ids,
                          before_optimizer_step=before_step),
                state_dict={k: v.detach().cpu() for k, v in model.state_dict().items()},
                optimizer=_to_cpu(runner.optim_wrapper.state_dict()),
                inputs=_to_cpu(inputs))
            atomic_torch_save(state, path)
            message += f' Model, optimizer, batch and sample ids saved to {path}.'
        last_ckpt = runner.message_hub.get_info('last_ckpt')
        if last_ckpt:
            message += f' The last checkpoint, {last_ckpt}, is intact and can be resumed.'
        message += ' See docs/troubleshooting.md ("Non-finite loss").'
        runner.logger.error(message)
        raise NonFiniteLossError(message)
