"""The published-format SSPL weight files of ``../shared/parity``.

``<variant>_weights_spec.json`` describes, per published file
(``frame_best.pth``, ``sound_best.pth``, ``pcm_best.pth``, ``ssl_head_best.pth``),
every state-dict entry; :func:`sspl.testing.parity.materialise_entry` follows
the formula of the parity README (numpy's legacy ``RandomState``, float64 until
the final cast).
"""
import json
import os.path as osp
from collections import OrderedDict
from typing import Callable, Dict, Optional

import torch

from .parity import materialise_state_dict
from .repo import load_tool

CONVERTER = 'tools/model_converters/sspl_to_mmengine.py'

VARIANTS = ('sspl_w_pcm', 'sspl_wo_pcm')
# published file name -> the converter's option / kind
FILE_KINDS = OrderedDict([('frame_best.pth', 'frame'), ('sound_best.pth', 'sound'),
                          ('pcm_best.pth', 'pcm'), ('ssl_head_best.pth', 'ssl_head')])


def load_converter():
    """``tools/model_converters/sspl_to_mmengine.py`` as a module (it is a
    script, not part of the package)."""
    return load_tool(CONVERTER)


def load_spec(parity_dir: str, variant: str) -> Dict[str, list]:
    with open(osp.join(parity_dir, f'{variant}_weights_spec.json')) as file:
        return json.load(file)


def write_published_files(spec: Dict[str, list], out_dir: str,
                          rename: Optional[Callable[[str], str]] = None) -> Dict[str, str]:
    """Write the published files of ``spec`` into ``out_dir`` with ``torch.save``.
    Returns ``{kind: path}`` (kinds as in :data:`FILE_KINDS`)."""
    paths = {}
    for file_name, entries in spec.items():
        path = osp.join(out_dir, file_name)
        torch.save(materialise_state_dict(entries, rename), path)
        paths[FILE_KINDS[file_name]] = path
    return paths


def converter_argv(paths: Dict[str, str], out: str) -> list:
    """Command-line arguments of the converter for the files ``paths``."""
    argv = ['--frame', paths['frame'], '--sound', paths['sound'],
            '--ssl-head', paths['ssl_head'], '--out', out]
    if 'pcm' in paths:
        argv += ['--pcm', paths['pcm']]
    return argv
