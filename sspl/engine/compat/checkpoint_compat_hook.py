"""Checkpoints that ``torch.load(weights_only=True)`` can read."""
from typing import Any

import numpy as np
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer

from sspl.registry import HOOKS

_BUFFER_TAG = '__history_buffer__'


def to_plain(value: Any) -> Any:
    """Numpy scalars and arrays -> Python values and lists, recursively."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return type(value)((key, to_plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(to_plain(item) for item in value)
    return value


def buffer_to_dict(buffer: HistoryBuffer) -> dict:
    log_history, count_history = buffer.data
    return {_BUFFER_TAG: True, 'log_history': log_history.tolist(),
            'count_history': count_history.tolist(), 'max_length': buffer.max_length}


def dict_to_buffer(state: dict) -> HistoryBuffer:
    return HistoryBuffer(state['log_history'], state['count_history'], state['max_length'])


@HOOKS.register_module()
class CheckpointCompatHook(Hook):
    """Make every checkpoint loadable with ``weights_only=True``.

    mmengine 0.10.7 stores ``HistoryBuffer`` objects (whose pickle references
    ``builtins.getattr``) and numpy values in checkpoints, which torch >= 2.6
    refuses to load safely. Before saving, this hook turns them into plain
    lists and numbers; after loading, it rebuilds the buffers, so resume works
    without ``weights_only=False`` and without allow-listing ``getattr``.
    """

    priority = 'LOWEST'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        message_hub = checkpoint.get('message_hub')
        if message_hub is not None:
            message_hub['log_scalars'] = {
                key: buffer_to_dict(value) if isinstance(value, HistoryBuffer) else to_plain(value)
                for key, value in message_hub['log_scalars'].items()}
            message_hub['runtime_info'] = to_plain(message_hub['runtime_info'])
        if 'meta' in checkpoint:
            checkpoint['meta'] = to_plain(checkpoint['meta'])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        message_hub = checkpoint.get('message_hub')
        if message_hub is None:
            return
        message_hub['log_scalars'] = {
            key: dict_to_buffer(value) if isinstance(value, dict) and value.get(_BUFFER_TAG)
            else value
            for key, value in message_hub['log_scalars'].items()}
