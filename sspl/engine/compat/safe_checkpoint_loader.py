"""Route mmengine's local checkpoint loading through :func:`sspl.utils.safe_load`.

mmengine 0.10.7 calls ``torch.load`` without ``weights_only``; registering this
loader for local paths makes every load of the runner (``load_from``,
``resume``, ``init_cfg=dict(type='Pretrained')``) a ``weights_only=True`` load
that refuses pickled code with a clear message.
"""
import os.path as osp

from mmengine.runner.checkpoint import CheckpointLoader

from sspl.utils.checkpoint import safe_load


@CheckpointLoader.register_scheme(prefixes='', force=True)
def load_from_local(filename, map_location):
    """Local file, ``torch.load(weights_only=True)``."""
    return safe_load(osp.expanduser(filename), map_location=map_location)
