"""Test helpers: the published-format SSPL weight files of ``../shared/parity``.

``<variant>_weights_spec.json`` describes, per published file
(``frame_best.pth``, ``sound_best.pth``, ``pcm_best.pth``, ``ssl_head_best.pth``),
every state-dict entry; :func:`materialise_entry` follows the formula of the
parity README (numpy's legacy ``RandomState``, float64 until the final cast).
"""
import importlib.util
import json
import os.path as osp
from collections import OrderedDict
from typing import Callable, Dict, Optional

import numpy as np
import torch

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONVERTER_PATH = osp.join(REPO_ROOT, 'tools', 'model_converters', 'sspl_to_mmengine.py')

VARIANTS = ('sspl_w_pcm', 'sspl_wo_pcm')
# published file name -> the converter's option / kind
FILE_KINDS = OrderedDict([('frame_best.pth', 'frame'), ('sound_best.pth', 'sound'),
                          ('pcm_best.pth', 'pcm'), ('ssl_head_best.pth', 'ssl_head')])


def load_converter():
    """``tools/model_converters/sspl_to_mmengine.py`` as a module (it is a
    script, not part of the package)."""
    spec = importlib.util.spec_from_file_location('sspl_to_mmengine', CONVERTER_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_spec(parity_dir: str, variant: str) -> Dict[str, list]:
    with open(osp.join(parity_dir, f'{variant}_weights_spec.json')) as file:
        return json.load(file)


def materialise_entry(entry: dict) -> torch.Tensor:
    """One spec entry -> tensor of ``entry['shape']`` and ``entry['dtype']``."""
    shape = tuple(entry['shape'])
    count = int(np.prod(shape, dtype=np.int64))
    kind = entry['kind']
    if kind == 'normal':
        values = entry['offset'] + entry['scale'] * np.random.RandomState(
            entry['seed']).standard_normal(count)
    elif kind == 'uniform':
        values = np.random.RandomState(entry['seed']).uniform(entry['low'], entry['high'], count)
    elif kind == 'constant':
        values = np.full(count, entry['value'], dtype=np.float64)
    else:
        raise ValueError(f'unknown spec kind {kind!r} for {entry["key"]}')
    return torch.from_numpy(values.reshape(shape)).to(getattr(torch, entry['dtype']))


def materialise_file(entries: list, rename: Optional[Callable[[str], str]] = None
                     ) -> 'OrderedDict[str, torch.Tensor]':
    """The state dict of one published file, in its key order; ``rename``
    optionally changes each key (e.g. adds or strips ``module.``)."""
    rename = rename or (lambda key: key)
    return OrderedDict((rename(entry['key']), materialise_entry(entry)) for entry in entries)


def write_published_files(spec: Dict[str, list], out_dir: str,
                          rename: Optional[Callable[[str], str]] = None) -> Dict[str, str]:
    """Write the published files of ``spec`` into ``out_dir`` with ``torch.save``.
    Returns ``{kind: path}`` (kinds as in :data:`FILE_KINDS`)."""
    paths = {}
    for file_name, entries in spec.items():
        path = osp.join(out_dir, file_name)
        torch.save(materialise_file(entries, rename), path)
        paths[FILE_KINDS[file_name]] = path
    return paths


def converter_argv(paths: Dict[str, str], out: str) -> list:
    """Command-line arguments of the converter for the files ``paths``."""
    argv = ['--frame', paths['frame'], '--sound', paths['sound'],
            '--ssl-head', paths['ssl_head'], '--out', out]
    if 'pcm' in paths:
        argv += ['--pcm', paths['pcm']]
    return argv


def max_relative_error(actual, expected) -> float:
    """``max |actual - expected| / max |expected|`` (arrays of the same shape)."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    scale = np.abs(expected).max()
    return float(np.abs(actual - expected).max() / scale) if scale > 0 else float(
        np.abs(actual).max())
