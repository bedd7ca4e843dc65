"""Published EZ-VSL, SLAVC and FNAC checkpoints -> sspl state dicts.

The published ``train.py`` files save ``{'model': state_dict, 'optimizer':
..., 'epoch': int, 'best_*': ...}`` with ``torch.save``; the state dict has
the key prefix ``module.`` when trained under DistributedDataParallel (EZ-VSL,
SLAVC, FNAC's multi-GPU script), none otherwise (FNAC's one-GPU scripts).
The ``best_*`` entries are numpy.float64 scalars, which
``torch.load(weights_only=True)`` refuses: the file is read with exactly the
numpy scalar types allowed (:data:`PUBLISHED_FILE_GLOBALS`), never with
``weights_only=False``, so a file that holds anything else (code) is refused.
"""
import re
from collections import OrderedDict
from typing import Dict, List, Tuple

import numpy as np

from sspl.utils.checkpoint import CheckpointError, get_state_dict, safe_load


def _numpy_scalar_globals() -> list:
    """What a pickled numpy.float64 references: the scalar constructor (under
    its numpy 1 and numpy 2 module names), ``numpy.dtype`` and its float64
    class. Rebuilding a float64 from bytes runs no code of the file's."""
    try:
        from numpy._core.multiarray import scalar
    except ImportError:  # numpy 1.x
        from numpy.core.multiarray import scalar
    allowed = [(scalar, 'numpy.core.multiarray.scalar'),
               (scalar, 'numpy._core.multiarray.scalar'), np.dtype]
    float64_dtype = getattr(getattr(np, 'dtypes', None), 'Float64DType', None)
    if float64_dtype is not None:
        allowed.append(float64_dtype)
    return allowed


#: the globals a published checkpoint may reference beyond tensors and containers
PUBLISHED_FILE_GLOBALS = _numpy_scalar_globals()

_COMMON_PARTS = [('imgnet', 'visual_backbone', True), ('audnet', 'audio_backbone', True)]
# (published prefix, sspl prefix, whole sub-module (True) or a projection (False))
_PARTS: Dict[str, List[Tuple[str, str, bool]]] = {
    'ezvsl': _COMMON_PARTS + [('img_proj', 'visual_proj', False),
                              ('aud_proj', 'audio_proj', False)],
    'slavc': [(f'{momentum}{published}', f'{momentum_sspl}{ours}', whole)
              for momentum, momentum_sspl in (('', ''), ('momentum_', 'momentum_'))
              for published, ours, whole in (
                  ('imgnet', 'visual_backbone', True), ('img_proj1', 'visual_proj1', False),
                  ('img_proj2', 'visual_proj2', False), ('audnet', 'audio_backbone', True),
                  ('aud_proj1', 'audio_proj1', False), ('aud_proj2', 'audio_proj2', False))],
}
_PARTS['fnac'] = _PARTS['ezvsl']
METHODS = tuple(_PARTS)


def strip_module_prefix(key: str) -> str:
    return key[len('module.'):] if key.startswith('module.') else key


def convert_key(method: str, key: str):
    """The sspl key of a published key (with or without ``module.``), or None."""
    plain = strip_module_prefix(key)
    for published, ours, whole in _PARTS[method]:
        if whole and plain.startswith(published + '.'):
            return ours + plain[len(published):]
        if not whole and re.fullmatch(rf'{published}\.(weight|bias)', plain):
            return f'{ours}.proj.{plain.split(".")[-1]}'
    return None


def load_published_checkpoint(path: str) -> dict:
    """The published file, read safely (see the module docstring)."""
    return safe_load(path, extra_safe_globals=PUBLISHED_FILE_GLOBALS)


def convert_published_checkpoint(method: str, path: str) -> Tuple['OrderedDict', dict]:
    """``(state_dict, meta)`` of the published ``method`` checkpoint ``path``.

    ``meta`` holds plain Python values: the file, the method, the epoch and the
    published best scores under their meaning (SLAVC's ``train.py`` stores F1
    under ``best_AP`` and AP under ``best_F1``; they are swapped back here).

    Raises:
        CheckpointError: unreadable or unsafe file, or keys that do not form
            the published model (named).
    """
    if method not in _PARTS:
        raise ValueError(f'unknown method {method!r}; one of {METHODS}')
    checkpoint = load_published_checkpoint(path)
    if isinstance(checkpoint, dict) and isinstance(checkpoint.get('model'), dict):
        state_dict = get_state_dict(checkpoint['model'], path)
    else:
        state_dict = get_state_dict(checkpoint, path)
    converted, unknown = OrderedDict(), []
    for key, value in state_dict.items():
        new_key = convert_key(method, key)
        if new_key is None:
            unknown.append(key)
        else:
            converted[new_key] = value
    plain = [strip_module_prefix(key) for key in state_dict]
    missing = [published for published, _, _ in _PARTS[method]
               if not any(key.startswith(published + '.') for key in plain)]
    if unknown or missing:
        shown = ', '.join(unknown[:8])
        if len(unknown) > 8:
            shown += f' ... ({len(unknown)} in all)'
        raise CheckpointError(f'{path}: is not a published {method} checkpoint: unexpected keys '
                              f'[{shown}]; no keys for [{", ".join(missing)}]')
    meta = dict(converted_from=str(path), method=method)
    if isinstance(checkpoint, dict):
        if 'epoch' in checkpoint:
            meta['epoch'] = int(checkpoint['epoch'])
        best = {key[len('best_'):]: float(value) for key, value in checkpoint.items()
                if key.startswith('best_') and np.ndim(value) == 0}
        if method == 'slavc' and 'AP' in best and 'F1' in best:
            best['AP'], best['F1'] = best['F1'], best['AP']
        if best:
            meta['published_best'] = best
    return converted, meta
