"""Stop every rank of a distributed run, naming the culprit, when one rank
dies or stops answering."""
import torch.distributed as dist
from mmengine.dist import is_distributed
from mmengine.hooks import Hook

from sspl.registry import HOOKS
from ..rank_watchdog import RankWatchdog


@HOOKS.register_module()
class RankWatchdogHook(Hook):
    """Run a :class:`~sspl.engine.rank_watchdog.RankWatchdog` for the length
    of a distributed training or test run (does nothing on one process).

    Every rank beats every ``interval`` seconds in the rendezvous store; a
    rank silent for ``timeout`` seconds is lost, and the others stop within
    about ``timeout + interval`` seconds with ``RankLostError`` naming it (rank,
    host, pid) instead of waiting for the collective timeout
    (``env_cfg.dist_cfg.timeout``, 30 minutes). The heartbeat runs in its own
    thread, so a long validation or checkpoint save does not trip it, and the
    collective timeout can stay long enough for the ranks that legitimately
    wait on rank 0 (while it saves a checkpoint or computes a metric).

    Defaults: ``interval=2``, ``timeout=30``: a dead or frozen rank is
    named within about 32 s, while a live process would have to be unable
    to run its thread for 30 s (swapping, a stopped container) to be taken
    for lost. Raise ``timeout`` on machines where that can happen.

    Args:
        interval: seconds between heartbeats.
        timeout: seconds of silence after which a rank is lost.
    """

    priority = 'VERY_HIGH'

    def __init__(self, interval: float = 2.0, timeout: float = 30.0):
        if interval <= 0 or timeout <= interval:
            raise ValueError(f'RankWatchdogHook: need 0 < interval < timeout, got '
                             f'interval={interval}, timeout={timeout}')
        self.interval = interval
        self.timeout = timeout
        self.watchdog = None

    def before_run(self, runner) -> None:
        if not is_distributed() or dist.get_world_size() < 2:
            return
        self.watchdog = RankWatchdog(self.interval, self.timeout,
                                     namespace=runner.experiment_name)
        self.watchdog.start()
        dist.barrier()  # every rank has a heartbeat before any rank judges

    def after_run(self, runner) -> None:
        if self.watchdog is not None:
            self.watchdog.stop()
            self.watchdog = None
