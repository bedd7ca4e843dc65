"""The published-format EZ-VSL / SLAVC / FNAC checkpoints of
``../shared/parity/vsl`` and what the parity tests compare.

``<m>_weights_spec.json`` describes one file as the published ``train.py``
writes it (``layout: checkpoint_dict``): the top-level entries in order,
``model`` a state dict materialised entry by entry (numpy's legacy
``RandomState``, float64 until the final cast), ``optimizer`` torch 1.7.1's
``Adam.state_dict()`` layout (betas as a tuple), the others as the Python /
numpy type named (``best_*`` are numpy.float64, as published).
"""
import json
import os.path as osp
from typing import Callable, Optional

import numpy as np
import torch

from .parity import materialise_state_dict

METHODS = ('ezvsl', 'slavc', 'fnac')
CONFIGS = {'ezvsl': 'configs/ezvsl/ezvsl_flickr10k.py',
           'slavc': 'configs/slavc/slavc_vggsound144k.py',
           'fnac': 'configs/fnac/fnac_vggsound144k.py'}


def vsl_dir(parity_dir: str) -> str:
    return osp.join(parity_dir, 'vsl')


def load_spec(parity_dir: str, name: str) -> dict:
    with open(osp.join(vsl_dir(parity_dir), f'{name}_weights_spec.json')) as file:
        return json.load(file)


def _top_level_value(item: dict, rename=None):
    kind = item['type']
    if kind == 'state_dict':
        return materialise_state_dict(item['entries'], rename)
    if kind == 'adam_state_dict':
        value = json.loads(json.dumps(item['value']))
        for group in value['param_groups']:
            group['betas'] = tuple(group['betas'])
        return value
    if kind == 'int':
        return int(item['value'])
    if kind == 'float':
        return float(item['value'])
    if kind == 'numpy.float64':
        return np.float64(item['value'])
    raise ValueError(f'unknown top-level type {kind!r} ({item["name"]})')


def published_checkpoint(spec: dict, rename: Optional[Callable[[str], str]] = None) -> dict:
    """The published file's content (``checkpoint_dict`` or ``state_dict`` layout)."""
    if spec['layout'] == 'state_dict':
        return materialise_state_dict(spec['entries'], rename)
    assert spec['layout'] == 'checkpoint_dict', spec['layout']
    return {item['name']: _top_level_value(item, rename) for item in spec['top_level']}


def write_published_checkpoint(spec: dict, path: str,
                               rename: Optional[Callable[[str], str]] = None) -> str:
    torch.save(published_checkpoint(spec, rename), path)
    return path


def state_dict_entries(spec: dict) -> list:
    """The model entries of a checkpoint spec."""
    if spec['layout'] == 'state_dict':
        return spec['entries']
    return next(item for item in spec['top_level'] if item['type'] == 'state_dict')['entries']
