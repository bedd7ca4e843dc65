"""Detect a lost rank of a distributed run and stop the others with an error
that names it, instead of leaving them blocked in a collective.

A rank that dies (SIGKILL, OOM killer, a machine that goes down) or stops
answering (SIGSTOP, a network partition: its sockets stay open) leaves the
other ranks waiting in their next collective until the process group's
timeout (30 minutes by default), and the error they then get (gloo's
``Connection reset by peer`` or ``Timed out waiting 1800000ms for recv``)
names an address, not a rank.

:class:`RankWatchdog` runs a thread in every rank that, every ``interval``
seconds, increments the rank's heartbeat counter in the run's rendezvous store
(torchrun's TCPStore) and reads the other ranks' counters. A rank whose
counter has not moved for ``timeout`` seconds (measured on the reader's own
monotonic clock: no clock comparison across machines) is lost; a rank that
raised marks itself failed with its error, which the others see within
``interval``. Because the heartbeat runs in its own thread, a long validation,
a checkpoint save or a slow dataloader never stops it: only a process that
cannot run at all for ``timeout`` seconds does.

On a verdict the watchdog logs it and, unless the main thread is already
handling an error in :func:`rank_loss_errors` (which then raises
:class:`RankLostError` from the original error), ends the process with exit
status :data:`EXIT_RANK_LOST` (the main thread may be blocked in a collective
that would not return for 30 minutes). Checkpoints are written atomically
(``AtomicCheckpointHook``), so an exit at any moment leaves them intact.
"""
import contextlib
import datetime
import logging
import os
import socket
import sys
import threading
import time
from typing import Dict, Iterator, Optional

import torch.distributed as dist
from mmengine.logging import print_log

#: exit status of a rank stopped by the watchdog from its thread
EXIT_RANK_LOST = 3

_ACTIVE: Optional['RankWatchdog'] = None

# values of a rank's state counter
_RUNNING, _FINISHED, _FAILED = 0, 1, 2


class RankLostError(RuntimeError):
    """Another rank of the distributed run died, stopped answering or failed."""


def is_communication_error(exc: BaseException) -> bool:
    """Whether ``exc`` looks like a failed collective (gloo / NCCL / store)."""
    dist_error = getattr(dist, 'DistError', None)
    if dist_error is not None and isinstance(exc, dist_error):
        return True
    text = str(exc)
    return isinstance(exc, RuntimeError) and any(
        marker in text for marker in ('gloo', 'NCCL', 'Connection reset', 'Connection closed',
                                      'Connection refused', 'Timed out', 'timed out',
                                      'ProcessGroup', 'Broken pipe'))


def _connect_store(timeout: float):
    """A client of the run's rendezvous store (its own connection, so the
    watchdog never shares a socket with the process group), and a description
    of where the store runs."""
    host, port = os.environ.get('MASTER_ADDR'), os.environ.get('MASTER_PORT')
    if host and port:
        store = dist.TCPStore(host, int(port), is_master=False,
                              timeout=datetime.timedelta(seconds=timeout))
        return store, f'{host}:{port}'
    return dist.distributed_c10d._get_default_store(), 'the default store'


class RankWatchdog:
    """Heartbeats of every rank in the rendezvous store (see the module
    docstring).

    Args:
        interval: seconds between two heartbeats / checks.
        timeout: seconds without a heartbeat after which a rank is lost.
        namespace: prefix of the store keys, the same on every rank and new
            for every run (e.g. the runner's timestamp).
        store: a ``torch.distributed.Store`` (default: a new client of the
            store at ``MASTER_ADDR:MASTER_PORT``, torchrun's).
        exit_process: end the process on a verdict that the main thread does
            not pick up (tests turn it off).
    """

    def __init__(self, interval: float = 2.0, timeout: float = 30.0, namespace: str = 'run',
                 store=None, rank: Optional[int] = None, world_size: Optional[int] = None,
                 exit_process: bool = True):
        if interval <= 0 or timeout <= interval:
            raise ValueError(f'RankWatchdog: need 0 < interval < timeout, got interval={interval}, '
                             f'timeout={timeout}')
        self.interval, self.timeout = float(interval), float(timeout)
        self.rank = dist.get_rank() if rank is None else rank
        self.world_size = dist.get_world_size() if world_size is None else world_size
        self.exit_process = exit_process
        if store is None:
            store, self.store_location = _connect_store(self.timeout)
        else:
            self.store_location = 'the given store'
        self.store = dist.PrefixStore(f'sspl_rank_watchdog/{namespace}/', store)
        self.verdict: Optional[str] = None
        self._verdict_event = threading.Event()
        self._stop_event = threading.Event()
        self._main_waiting = threading.Event()
        self._thread: Optional[threading.Thread] = None
        # rank -> (last counter seen, monotonic time it was first seen)
        self._last_seen: Dict[int, tuple] = {}
        self._done = set()

    # -- keys ---------------------------------------------------------------
    @staticmethod
    def _beat(rank: int) -> str:
        return f'beat/{rank}'

    @staticmethod
    def _state(rank: int) -> str:
        return f'state/{rank}'

    @staticmethod
    def _message(rank: int) -> str:
        return f'message/{rank}'

    @staticmethod
    def _where(rank: int) -> str:
        return f'where/{rank}'

    # -- life cycle ---------------------------------------------------------
    def start(self) -> None:
        """Publish this rank's first heartbeat and start the thread. Call it
        on every rank, then synchronise (a barrier): from then on every rank
        has a counter the others watch."""
        global _ACTIVE
        self.store.set(self._where(self.rank), f'{socket.gethostname()}, pid {os.getpid()}')
        self.store.add(self._beat(self.rank), 1)
        self._thread = threading.Thread(target=self._run, name='sspl-rank-watchdog', daemon=True)
        self._thread.start()
        _ACTIVE = self

    def stop(self, failure: Optional[str] = None) -> None:
        """Stop the thread; tell the other ranks this one finished (or failed
        with ``failure``) so that its silence is not taken for a loss."""
        global _ACTIVE
        self._stop_event.set()
        if _ACTIVE is self:
            _ACTIVE = None
        if self._verdict_event.is_set():  # the thread published this rank's failure
            return
        try:
            if failure is not None:
                self.store.set(self._message(self.rank), failure[:2000])
                self.store.add(self._state(self.rank), _FAILED)
            else:
                self.store.add(self._state(self.rank), _FINISHED)
        except Exception:  # noqa: BLE001  (the store may be gone already)
            pass
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=self.interval + 1)

    # -- watching -----------------------------------------------------------
    def _describe(self, rank: int) -> str:
        try:
            if self.store.check([self._where(rank)]):
                return f'rank {rank} ({self.store.get(self._where(rank)).decode()})'
        except Exception:  # noqa: BLE001
            pass
        return f'rank {rank}'

    def check_once(self) -> Optional[str]:
        """One heartbeat and one look at the other ranks; the verdict, if any."""
        now = time.monotonic()
        try:
            self.store.add(self._beat(self.rank), 1)
            for rank in range(self.world_size):
                if rank == self.rank or rank in self._done:
                    continue
                state = self.store.add(self._state(rank), 0)
                if state == _FINISHED:
                    self._done.add(rank)
                    continue
                if state >= _FAILED:
                    message = self.store.get(self._message(rank)).decode()
                    return f'{self._describe(rank)} failed: {message}'
                count = self.store.add(self._beat(rank), 0)
                if count == 0:  # not started yet
                    continue
                last = self._last_seen.get(rank)
                if last is None or last[0] != count:
                    self._last_seen[rank] = (count, now)
                elif now - last[1] >= self.timeout:
                    return (f'{self._describe(rank)} stopped answering: no heartbeat for '
                            f'{now - last[1]:.0f} s (it died, was stopped, or its machine is '
                            'unreachable)')
        except Exception as exc:  # noqa: BLE001
            if self._stop_event.is_set():
                return None
            return (f'the rendezvous store at {self.store_location} stopped answering '
                    f'({type(exc).__name__}: {exc}); it runs with rank 0 (torchrun: the '
                    'launcher of node 0): rank 0 or its machine is lost')
        return None

    def _run(self) -> None:
        while not self._stop_event.wait(self.interval):
            verdict = self.check_once()
            if verdict is not None and not self._stop_event.is_set():
                self._declare(verdict)
                return

    def _declare(self, verdict: str) -> None:
        self.verdict = (f'rank {self.rank} of {self.world_size} stops: {verdict}. The '
                        'checkpoints written so far are intact; resume with --resume.')
        print_log(f'RankLostError: {self.verdict}', logger='current', level=logging.ERROR)
        if not verdict.startswith('the rendezvous store'):  # else: nowhere to publish it
            with contextlib.suppress(Exception):
                self.store.set(self._message(self.rank), f'RankLostError: {self.verdict}')
                self.store.add(self._state(self.rank), _FAILED)
        self._verdict_event.set()
        if not self.exit_process:
            return
        # give the main thread, if it is handling the error this caused, a
        # moment to raise RankLostError itself
        if self._main_waiting.is_set() or self._main_waiting.wait(1.0):
            return
        for handler in logging.getLogger('mmengine').handlers + logging.getLogger().handlers:
            with contextlib.suppress(Exception):
                handler.flush()
        sys.stdout.flush()
        sys.stderr.write(f'RankLostError: {self.verdict}\n')
        sys.stderr.flush()
        os._exit(EXIT_RANK_LOST)

    def wait_for_verdict(self, seconds: float) -> Optional[str]:
        """Block (the main thread, after a failed collective) until the
        watchdog names a lost rank or ``seconds`` pass; the verdict or None."""
        self._main_waiting.set()
        self._verdict_event.wait(seconds)
        return self.verdict


def active_watchdog() -> Optional[RankWatchdog]:
    """The watchdog running in this process, if any."""
    return _ACTIVE


@contextlib.contextmanager
def rank_loss_errors() -> Iterator[None]:
    """Around ``runner.train()`` / ``runner.test()``: an error of a
    distributed run that a lost rank caused becomes a :class:`RankLostError`
    naming that rank (raised from the original error); any other error is
    published to the other ranks (so they stop at once, naming this rank and
    its error) and re-raised."""
    try:
        yield
    except Exception as exc:
        watchdog = active_watchdog()
        if watchdog is None:
            raise
        verdict = watchdog.verdict
        if verdict is None and is_communication_error(exc):
            verdict = watchdog.wait_for_verdict(watchdog.timeout + 2 * watchdog.interval)
        if verdict is not None:
            watchdog.stop(failure=f'RankLostError: {verdict}')
            raise RankLostError(verdict) from exc
        watchdog.stop(failure=f'{type(exc).__name__}: {exc}')
        raise
