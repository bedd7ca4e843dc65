"""Route mmengine's local checkpoint loading through :func:`sspl.utils.safe_load`.

mmengine 0.10.7 calls ``torch.load`` without ``weights_only``; with this loader
installed for local paths, every load of the runner (``load_from``,
``resume``, ``init_cfg=dict(type='Pretrained')``) is a ``weights_only=True``
load that refuses pickled code with a clear message (on any torch, not only
on torch >= 2.6, whose default it is).

Nothing happens on import: :func:`install_safe_checkpoint_loader` replaces
mmengine's local loader (``tools/train.py`` and ``tools/test.py`` call it
before they build the runner; a script that builds its own ``Runner`` calls it
too), :func:`uninstall_safe_checkpoint_loader` puts mmengine's back.
"""
import os.path as osp
from typing import Callable, Optional

from mmengine.runner.checkpoint import CheckpointLoader

from sspl.utils.checkpoint import safe_load

#: the prefix of local paths in ``CheckpointLoader._schemes``
_LOCAL_PREFIX = ''
#: mmengine's own local loader, kept while ours is installed
_replaced: Optional[Callable] = None


def load_from_local(filename, map_location):
    """Local file, ``torch.load(weights_only=True)`` (the name must start with
    ``load_from_``: mmengine's ``CheckpointLoader`` logs it by that name)."""
    return safe_load(osp.expanduser(filename), map_location=map_location)


def safe_checkpoint_loader_installed() -> bool:
    """Whether mmengine's local paths load through :func:`load_from_local`."""
    return CheckpointLoader._schemes.get(_LOCAL_PREFIX) is load_from_local


def install_safe_checkpoint_loader() -> None:
    """Make mmengine's ``CheckpointLoader`` load local files with
    :func:`load_from_local`. Idempotent."""
    global _replaced
    if safe_checkpoint_loader_installed():
        return
    _replaced = CheckpointLoader._schemes.get(_LOCAL_PREFIX)
    CheckpointLoader.register_scheme(prefixes=_LOCAL_PREFIX, loader=load_from_local, force=True)


def uninstall_safe_checkpoint_loader() -> None:
    """Give mmengine's local loader back (no-op when ours is not installed)."""
    global _replaced
    if not safe_checkpoint_loader_installed():
        return
    if _replaced is None:
        del CheckpointLoader._schemes[_LOCAL_PREFIX]
    else:
        CheckpointLoader.register_scheme(prefixes=_LOCAL_PREFIX, loader=_replaced, force=True)
    _replaced = None
