"""Build a localizer from a config, with its weights, ready for inference."""
import copy
import os
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.config import Config, ConfigDict

from sspl.utils.checkpoint import get_state_dict, load_weights_strict, safe_load


def init_localizer(config: Union[str, os.PathLike, Config],
                   checkpoint: Optional[Union[str, os.PathLike]] = None,
                   device: Union[str, torch.device] = 'cpu',
                   cfg_options: Optional[dict] = None) -> nn.Module:
    """Build the model of ``config``, load its weights, move it to ``device`` and
    put it in eval mode.

    Args:
        config: config file path or :class:`mmengine.config.Config`; its
            ``model`` entry is built with the sspl ``MODELS`` registry.
        checkpoint: an sspl checkpoint (``{'state_dict': ...}``, as the runner or
            ``tools/model_converters/sspl_to_mmengine.py`` writes it) or a plain
            state dict. It is read with :func:`sspl.utils.safe_load` (never
            executes code from the file) and must fit the model exactly: a
            :class:`sspl.utils.CheckpointError` names the file and the missing /
            unexpected keys (or the mismatched shapes) otherwise. A ``module.``
            prefix on every key (a DistributedDataParallel save) is removed. The
            checkpoint holds every weight, so the pretrained backbone files the
            config names are neither read nor downloaded.
            ``None``: the model's ``init_weights()`` runs instead, which loads
            the pretrained backbones the config names (``pretrained=...``).
        device: where the model goes (``'cpu'``, ``'cuda:0'`` ...).
        cfg_options: overrides merged into the config first (``Config.merge_from_dict``).

    Returns:
        The model, in eval mode, on ``device``; its config is kept in ``model.cfg``.
    """
    if isinstance(config, (str, os.PathLike)):
        config = Config.fromfile(os.fspath(config))
    elif isinstance(config, Config):
        config = copy.deepcopy(config)
    else:
        raise TypeError(f'init_localizer: config must be a path or a mmengine Config, '
                        f'got {type(config).__name__}')
    if cfg_options:
        config.merge_from_dict(cfg_options)
    if config.get('model') is None:
        raise ValueError('init_localizer: the config has no `model` entry')

    from sspl.registry import MODELS
    from sspl.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    model = MODELS.build(config.model)

    if checkpoint is None:
        model.init_weights()
    else:
        load_localizer_checkpoint(model, checkpoint)
    model.cfg = config
    model.to(device)
    model.eval()
    return model


def load_localizer_checkpoint(model: torch.nn.Module,
                              checkpoint: Union[str, os.PathLike]) -> None:
    """Load every weight of ``model`` from an sspl checkpoint, safely
    (``weights_only``) and strictly: a missing or unexpected key or a shape
    mismatch raises :class:`~sspl.utils.CheckpointError` naming the file (on
    every rank, unlike mmengine's strict loading, which raises on rank 0 only)."""
    checkpoint = os.fspath(checkpoint)
    state_dict = get_state_dict(safe_load(checkpoint, map_location='cpu'), checkpoint)
    if state_dict and all(key.startswith('module.') for key in state_dict):
        state_dict = {key[len('module.'):]: value for key, value in state_dict.items()}
    load_weights_strict(model, state_dict, checkpoint,
                        f'the {type(model).__name__} model of the config')


def without_pretrained_weights(model_cfg) -> dict:
    """A copy of a model config that reads no weights file: every
    ``pretrained`` entry set to None and every ``init_cfg`` of type
    ``Pretrained`` dropped, at any depth (random initialisation instead)."""
    def strip(value):
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if key == 'pretrained':
                    out[key] = None
                elif key == 'init_cfg' and isinstance(item, dict) and \
                        item.get('type') == 'Pretrained':
                    out[key] = None
                else:
                    out[key] = strip(item)
            return type(value)(out) if isinstance(value, ConfigDict) else out
        if isinstance(value, (list, tuple)):
            return type(value)(strip(item) for item in value)
        return value
    return strip(copy.deepcopy(model_cfg))
