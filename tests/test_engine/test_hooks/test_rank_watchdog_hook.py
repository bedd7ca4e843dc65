"""RankWatchdog: heartbeats in the rendezvous store name the rank that died,
froze or failed (unit level, two watchdogs in one process; the end-to-end
runs with two gloo processes are in tests/test_e2e/test_lost_rank.py)."""
import datetime
import time

import pytest
import torch.distributed as dist

from sspl.engine import rank_watchdog
from sspl.engine.hooks import RankWatchdogHook
from sspl.engine.rank_watchdog import RankLostError, RankWatchdog, rank_loss_errors

INTERVAL, TIMEOUT = 0.1, 1.0


@pytest.fixture
def store_pair():
    master = dist.TCPStore('127.0.0.1', 0, None, True, timeout=datetime.timedelta(seconds=5),
                           wait_for_workers=False)
    clients = [dist.TCPStore('127.0.0.1', master.port, None, False,
                             timeout=datetime.timedelta(seconds=2)) for _ in range(2)]
    yield master, clients
    rank_watchdog._ACTIVE = None


def two_watchdogs(clients, namespace):
    watchdogs = [RankWatchdog(INTERVAL, TIMEOUT, namespace=namespace, store=client, rank=rank,
                              world_size=2, exit_process=False)
                 for rank, client in enumerate(clients)]
    for watchdog in watchdogs:
        watchdog.start()
    return watchdogs


def freeze(watchdog):
    """Stop a watchdog's heartbeat without telling anyone (SIGSTOP, SIGKILL)."""
    watchdog._stop_event.set()
    watchdog._thread.join()


def test_live_ranks_are_never_lost_and_a_silent_one_is_named(store_pair):
    _, clients = store_pair
    survivor, lost = two_watchdogs(clients, 'silent')
    time.sleep(3 * TIMEOUT)
    assert survivor.verdict is None and lost.verdict is None
    freeze(lost)
    start = time.monotonic()
    assert survivor.wait_for_verdict(TIMEOUT + 5 * INTERVAL) is not None
    assert TIMEOUT * 0.9 <= time.monotonic() - start <= TIMEOUT + 5 * INTERVAL
    assert 'rank 1 (' in survivor.verdict and 'stopped answering' in survivor.verdict
    assert survivor.verdict.startswith('rank 0 of 2 stops')
    survivor.stop()


def test_a_finished_rank_is_not_lost(store_pair):
    _, clients = store_pair
    first, second = two_watchdogs(clients, 'finished')
    second.stop()
    assert first.wait_for_verdict(3 * TIMEOUT) is None
    first.stop()


def test_a_failed_rank_is_named_with_its_error_at_once(store_pair):
    _, clients = store_pair
    survivor, failing = two_watchdogs(clients, 'failed')
    failing.stop(failure='NonFiniteLossError: loss=nan')
    assert survivor.wait_for_verdict(TIMEOUT / 2) is not None
    assert 'rank 1' in survivor.verdict and 'failed: NonFiniteLossError: loss=nan' \
        in survivor.verdict
    survivor.stop()


def test_a_lost_store_names_rank_0():
    """The store's host (torchrun of node 0, or rank 0 itself) dies."""
    import socket
    import subprocess
    import sys
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    host = subprocess.Popen([sys.executable, '-c', (
        'import time, datetime, torch.distributed as d; '
        f"s = d.TCPStore('127.0.0.1', {port}, None, True, wait_for_workers=False); "
        "print('ready', flush=True); time.sleep(120)")], stdout=subprocess.PIPE, text=True)
    try:
        assert host.stdout.readline().strip() == 'ready'
        client = dist.TCPStore('127.0.0.1', port, None, False,
                               timeout=datetime.timedelta(seconds=TIMEOUT))
        watchdog = RankWatchdog(INTERVAL, TIMEOUT, namespace='store', store=client, rank=1,
                                world_size=2, exit_process=False)
        watchdog.start()
        host.kill()
        verdict = watchdog.wait_for_verdict(5 * TIMEOUT)
    finally:
        host.kill()
        host.wait()
    assert verdict is not None and 'rendezvous store' in verdict and 'rank 0' in verdict
    watchdog.stop()


def test_rank_loss_errors_turns_a_failed_collective_into_a_named_error(store_pair):
    _, clients = store_pair
    survivor, lost = two_watchdogs(clients, 'collective')
    rank_watchdog._ACTIVE = survivor  # the watchdog of this process
    freeze(lost)
    with pytest.raises(RankLostError, match='rank 1 .*stopped answering') as info:
        with rank_loss_errors():
            raise RuntimeError('[gloo/transport/tcp/pair.cc:538] Read error: Connection reset '
                               'by peer')
    assert 'Connection reset' in str(info.value.__cause__)


def test_rank_loss_errors_publishes_other_errors_and_reraises_them(store_pair):
    _, clients = store_pair
    other, failing = two_watchdogs(clients, 'publish')
    rank_watchdog._ACTIVE = failing  # the watchdog of this process (rank 1)
    with pytest.raises(ZeroDivisionError):
        with rank_loss_errors():
            1 / 0
    assert other.wait_for_verdict(TIMEOUT / 2) is not None
    assert 'rank 1' in other.verdict and 'ZeroDivisionError' in other.verdict
    other.stop()


def test_hook_is_a_no_op_on_one_process_and_checks_its_arguments():
    hook = RankWatchdogHook()
    hook.before_run(object())  # not distributed: nothing to watch
    assert hook.watchdog is None
    with pytest.raises(ValueError, match='interval < timeout'):
        RankWatchdogHook(interval=5, timeout=5)
