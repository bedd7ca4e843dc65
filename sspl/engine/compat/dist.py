"""Distributed runs on machines without CUDA (gloo), for CPU clusters and CI."""
import datetime
import logging
import os

import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.logging import print_log


def setup_distributed(cfg: Config, launcher: str) -> None:
    """Prepare ``cfg`` for ``launcher``.

    With CUDA, mmengine's own initialisation (NCCL) is used unchanged. Without
    CUDA, mmengine 0.10.7's ``init_dist`` would call ``torch.cuda.set_device``
    and fail, so the gloo process group is created here (the Runner then skips
    its own), DDP wraps CPU modules (``device_ids=None``) and SyncBN is dropped
    (it needs CUDA). ``env_cfg.dist_cfg.timeout`` (seconds) is the collective
    timeout in both cases.
    """
    cfg.launcher = launcher
    if launcher == 'none':
        return
    if torch.cuda.is_available():
        return
    if 'RANK' not in os.environ:
        raise RuntimeError(f'--launcher {launcher} without the RANK/WORLD_SIZE environment: '
                           'start the run with tools/dist_train.sh or torchrun')
    if not dist.is_initialized():
        # the collective timeout of the config (seconds), as mmengine's init_dist reads it
        timeout = ((cfg.get('env_cfg') or {}).get('dist_cfg') or {}).get('timeout')
        dist.init_process_group(backend='gloo', **(
            {} if timeout is None else {'timeout': datetime.timedelta(seconds=timeout)}))
    # (Config.setdefault would hand back a copy of a new dict: assign instead.)
    env_cfg = dict(cfg.get('env_cfg') or {})
    env_cfg['dist_cfg'] = dict(env_cfg.get('dist_cfg') or {}, backend='gloo')
    cfg.env_cfg = env_cfg
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper.update(device_ids=None, broadcast_buffers=False)
    cfg.model_wrapper_cfg = wrapper
    if cfg.get('sync_bn') is not None:
        print_log(f'sync_bn={cfg.sync_bn!r} ignored: SyncBatchNorm needs CUDA; each of the '
                  'gloo processes normalises over its own batch', logger='current',
                  level=logging.WARNING)
        cfg.sync_bn = None
