"""Two gloo processes of the shipped synthetic config (2 persistent workers
each), laid out as two nodes on one machine (``NNODES=2 NODE_RANK=0|1 bash
tools/dist_train.sh CONFIG 1``, each rank with its own torchrun). Rank 1 dies
(SIGKILL) or stops answering (SIGSTOP: its sockets stay open, as a
partitioned node) mid-epoch 2: rank 0 exits within 60 s with an error naming
rank 1, the checkpoints are intact, and ``bash tools/dist_train.sh CONFIG 2
--resume`` ends exactly as the uninterrupted two-process run."""
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest
from mmengine.config import Config

from sspl.engine.compat.resume import checkpoint_is_complete
from sspl.testing import (REPO_ROOT, SYNTHETIC_CONFIG, assert_same_tree as assert_same_tensors,
                          dump_config, free_port, last_validation as validation,
                          subprocess_env)
from sspl.utils import safe_load

DIST_TRAIN = osp.join(REPO_ROOT, 'tools', 'dist_train.sh')
# 32 training clips over 2 ranks in batches of 8: 2 iterations per rank and epoch
NUM_TRAIN, NUM_VAL, BATCH = 32, 8, 8
LIMIT_S = 60  # the survivor must be gone within this after the fault

pytestmark = pytest.mark.slow


def options(data_root: str) -> list:
    return ['--cfg-options', 'train_cfg.max_epochs=2', 'randomness.seed=7',
            'randomness.deterministic=True', 'model.visual_backbone.pretrained=None',
            'default_hooks.logger.interval=1',
            f'train_dataloader.batch_size={BATCH}', f'val_dataloader.batch_size={BATCH}',
            f'train_dataloader.dataset.data_root={data_root}',
            f'train_dataloader.dataset.num_samples={NUM_TRAIN}',
            f'val_dataloader.dataset.data_root={data_root}',
            f'val_dataloader.dataset.num_samples={NUM_VAL}']


def launch(config, work_dir, data_root, nprocs, *args, env=None, log=None):
    """``bash tools/dist_train.sh CONFIG nprocs ...`` in its own session."""
    env = dict(subprocess_env(), PYTHON=sys.executable, PYTHONWARNINGS='ignore', **(env or {}))
    return subprocess.Popen(['nice', 'bash', DIST_TRAIN, config, str(nprocs), '--work-dir',
                             work_dir, *args, *options(data_root)],
                            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def dist_train(config, work_dir, data_root, *args):
    """A single-node two-process run to its end; returns its output."""
    log_path = work_dir + '.out'
    os.makedirs(osp.dirname(log_path), exist_ok=True)
    with open(log_path, 'w') as log:
        process = launch(config, work_dir, data_root, 2, *args,
                         env=dict(PORT=str(free_port())), log=log)
        tree = ProcessTree([process])
        try:
            assert process.wait(timeout=600) == 0, open(log_path).read()[-4000:]
        finally:
            tree.kill()
    return open(log_path).read()


class ProcessTree:
    """Every process started under ``roots`` (torchrun agents, their ranks, the
    ranks' dataloader workers), by process group: torchrun starts each rank in
    a new session, and orphaned workers leave the tree but not their group."""

    def __init__(self, roots):
        self.roots = roots
        self.groups = {os.getpgid(p.pid) for p in roots}

    @staticmethod
    def _parents():
        parents = {}
        for entry in os.listdir('/proc'):
            if entry.isdigit():
                try:
                    with open(f'/proc/{entry}/stat') as f:
                        fields = f.read().rsplit(')', 1)[1].split()
                    parents[int(entry)] = (int(fields[1]), int(fields[2]))  # ppid, pgid
                except (OSError, IndexError, ValueError):
                    pass
        return parents

    def snapshot(self) -> None:
        parents = self._parents()
        alive = {p.pid for p in self.roots}
        grown = True
        while grown:
            grown = False
            for pid, (ppid, pgid) in parents.items():
                if ppid in alive and pid not in alive:
                    alive.add(pid)
                    self.groups.add(pgid)
                    grown = True

    def kill(self) -> None:
        self.snapshot()
        for pgid in self.groups:
            for sig in (signal.SIGKILL, signal.SIGCONT):  # a stopped process dies once resumed
                try:
                    os.killpg(pgid, sig)
                except (ProcessLookupError, PermissionError):
                    pass
        for process in self.roots:
            process.wait(timeout=30)


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    from sspl.datasets import SyntheticAVDataset
    root = str(tmp_path_factory.mktemp('synthetic'))
    for split, num in (('train', NUM_TRAIN), ('val', NUM_VAL)):
        SyntheticAVDataset(data_root=root, split=split, num_samples=num, pipeline=[])
    return root


@pytest.fixture(scope='module')
def twin(tmp_path_factory, data_root):
    """The uninterrupted two-process run."""
    work_dir = str(tmp_path_factory.mktemp('twin') / 'work')
    out = dist_train(SYNTHETIC_CONFIG, work_dir, data_root)
    assert 'GPU number: 2' in out  # mmengine's name for the world size
    assert osp.exists(osp.join(work_dir, 'epoch_2.pth'))
    return work_dir


@pytest.mark.parametrize('fault', ['SIGKILL', 'SIGSTOP'])
def test_lost_rank_is_named_within_60_s_and_resume_matches_the_uninterrupted_run(
        tmp_path, data_root, twin, fault):
    cfg = Config.fromfile(SYNTHETIC_CONFIG)
    assert (cfg.train_dataloader.num_workers, cfg.train_dataloader.persistent_workers) == (2, True)
    stamp = str(tmp_path / 'fault_time')
    faulty = dump_config(cfg, str(tmp_path / f'shipped_{fault}.py'), dict(
        signal_at_iter=3, signal=fault, on_rank=1, stamp_file=stamp))
    work_dir = str(tmp_path / 'work')
    port = str(free_port())
    logs = [open(tmp_path / f'node{rank}.out', 'w') for rank in (0, 1)]
    nodes = [launch(faulty, work_dir, data_root, 1, log=logs[rank],
                    env=dict(NNODES='2', NODE_RANK=str(rank), MASTER_ADDR='127.0.0.1', PORT=port))
             for rank in (0, 1)]
    tree = ProcessTree(nodes)
    try:
        deadline = time.time() + 600
        while not osp.exists(stamp) or os.path.getsize(stamp) == 0:
            assert time.time() < deadline and nodes[0].poll() is None, \
                (tmp_path / 'node0.out').read_text()[-4000:]
            tree.snapshot()
            time.sleep(0.2)
        tree.snapshot()
        fault_time = float(open(stamp).read())
        while nodes[0].poll() is None and time.time() < fault_time + LIMIT_S + 30:
            time.sleep(0.2)
        exit_time = time.time()
        survivor_rc = nodes[0].poll()
    finally:
        tree.kill()
        for log in logs:
            log.close()
    out = (tmp_path / 'node0.out').read_text()
    elapsed = exit_time - fault_time
    print(f'{fault}: rank 0 (with its torchrun) exited {elapsed:.1f} s after rank 1 got '
          f'{fault}, status {survivor_rc}')
    assert survivor_rc is not None and survivor_rc != 0, out[-4000:]
    assert elapsed < LIMIT_S, out[-4000:]
    assert 'RankLostError: rank 0 of 2 stops: rank 1 (' in out, out[-4000:]
    assert 'stopped answering' in out

    # what is left: epoch 1's checkpoint, complete and loadable; nothing of epoch 2
    first = osp.join(work_dir, 'epoch_1.pth')
    assert checkpoint_is_complete(first) and safe_load(first)['meta']['epoch'] == 1
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read() == first
    assert not osp.exists(osp.join(work_dir, 'epoch_2.pth'))

    out = dist_train(SYNTHETIC_CONFIG, work_dir, data_root, '--resume')
    assert 'resumed epoch: 1, iter: 2' in out
    final, expected = (safe_load(osp.join(d, 'epoch_2.pth')) for d in (work_dir, twin))
    assert_same_tensors(final['state_dict'], expected['state_dict'], 'state_dict')
    assert_same_tensors(final['optimizer'], expected['optimizer'], 'optimizer')
    assert final['meta']['iter'] == expected['meta']['iter'] == 4
    for epoch in (1, 2):
        assert validation(work_dir, epoch) == validation(twin, epoch), epoch
