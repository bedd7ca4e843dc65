"""Safe loading of checkpoints and weight files.

Every load in sspl goes through :func:`safe_load`: ``torch.load`` with
``weights_only=True``, so a file that carries pickled code is refused instead of
executed. Checkpoints written by sspl hold only tensors, containers and plain
Python values (see :class:`sspl.engine.hooks.CheckpointCompatHook`), so nothing
has to be allow-listed for them.
"""
import os
import pickle
from typing import Any, Dict, Iterable, Optional

import torch


class CheckpointError(RuntimeError):
    """A checkpoint or weight file that cannot be used, with the reason."""


def safe_load(path: str, map_location: Any = 'cpu', extra_safe_globals: Optional[Iterable] = None) -> Any:
    """Load ``path`` with ``torch.load(weights_only=True)``.

    Args:
        path: file written by ``torch.save``.
        map_location: forwarded to ``torch.load``.
        extra_safe_globals: classes or functions the caller explicitly trusts
            (an allow-list); empty by default.

    Raises:
        CheckpointError: the file is missing, not a torch file, or holds objects
            outside the allow-list (e.g. a pickled callable).
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise CheckpointError(f'{path}: checkpoint file does not exist')
    try:
        if extra_safe_globals:
            with torch.serialization.safe_globals(list(extra_safe_globals)):
                return torch.load(path, map_location=map_location, weights_only=True)
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:
        raise CheckpointError(
            f'{path}: refused to load: the file holds objects that are not plain '
            f'tensors or containers, and sspl never executes code from a '
            f'checkpoint (torch.load(weights_only=True) said: '
            f'{str(exc).splitlines()[0]}). If you wrote this file yourself with '
            f'stock mmengine and trust it, see docs/troubleshooting.md.') from exc
    except (RuntimeError, EOFError, OSError, ValueError) as exc:
        raise CheckpointError(f'{path}: not a readable torch checkpoint ({exc})') from exc


def get_state_dict(checkpoint: Any, path: str = '<checkpoint>') -> Dict[str, torch.Tensor]:
    """The state dict of a loaded checkpoint: the ``state_dict`` entry if there is
    one, else the checkpoint itself when it is a flat dict of tensors."""
    if isinstance(checkpoint, dict) and isinstance(checkpoint.get('state_dict'), dict):
        checkpoint = checkpoint['state_dict']
    if not isinstance(checkpoint, dict) or not all(
            isinstance(v, torch.Tensor) for v in checkpoint.values()):
        raise CheckpointError(f'{path}: expected a state dict (a dict of tensors)')
    return checkpoint


def check_keys(expected: Iterable[str], found: Iterable[str], path: str, what: str) -> None:
    """Raise a :class:`CheckpointError` naming the missing and unexpected keys."""
    expected, found = set(expected), set(found)
    missing = sorted(expected - found)
    unexpected = sorted(found - expected)
    if missing or unexpected:
        def _short(keys):
            shown = ', '.join(keys[:8])
            return shown + (f' ... ({len(keys)} in all)' if len(keys) > 8 else '')
        raise CheckpointError(
            f'{path}: does not fit {what}: '
            f'missing keys [{_short(missing)}]; unexpected keys [{_short(unexpected)}]')


def load_weights_strict(module: torch.nn.Module, state_dict: Dict[str, torch.Tensor], path: str,
                        what: str) -> None:
    """Copy ``state_dict`` into ``module`` after checking keys and shapes."""
    own = module.state_dict()
    check_keys(own.keys(), state_dict.keys(), path, what)
    bad_shapes = [f'{k}: file {tuple(v.shape)} vs model {tuple(own[k].shape)}'
                  for k, v in state_dict.items() if tuple(v.shape) != tuple(own[k].shape)]
    if bad_shapes:
        raise CheckpointError(f'{path}: does not fit {what}: shape mismatch in ' +
                              '; '.join(bad_shapes[:8]))
    module.load_state_dict(state_dict, strict=True)
