"""Negatives gathered across ranks (``gather_negatives=True``): with two gloo
processes on two halves of a batch, the mean of the ranks' losses is the
one-process loss on the whole batch, and the gradients DDP averages are the
one-process gradients; the published per-rank negatives give another loss."""
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest

WORKER = osp.join(osp.dirname(osp.abspath(__file__)), 'gather_negatives_worker.py')
LOSSES = ('MaxMILInfoNCELoss', 'FNACLoss', 'SLAVCLoss')


def run(gather, out_dir, repo_root, nproc=None):
    """``[rank 0 results, rank 1 results ...]``, each ``{loss name: dict(loss, grads)}``."""
    os.makedirs(out_dir, exist_ok=True)
    args = ['gather' if gather else 'local', str(out_dir)]
    cmd = ([sys.executable, WORKER, *args] if nproc is None else
           [sys.executable, '-m', 'torch.distributed.run', '--standalone',
            f'--nproc_per_node={nproc}', WORKER, *args])
    env = dict(os.environ, PYTHONPATH=repo_root, OMP_NUM_THREADS='1')
    result = subprocess.run(cmd, cwd=repo_root, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    ranks = [json.loads(open(osp.join(out_dir, f'rank{r}.json')).read())
             for r in range(nproc or 1)]
    return ranks


@pytest.fixture(scope='module')
def runs(tmp_path_factory, repo_root):
    out = tmp_path_factory.mktemp('gather_negatives')
    return dict(single=run(True, out / 'single', repo_root)[0],
                gathered=run(True, out / 'two', repo_root, nproc=2),
                local=run(False, out / 'local', repo_root, nproc=2))


@pytest.mark.parametrize('loss', LOSSES)
def test_gathered_negatives_equal_one_process(loss, runs):
    single, ranks = runs['single'][loss], [rank[loss] for rank in runs['gathered']]
    assert np.mean([r['loss'] for r in ranks]) == pytest.approx(single['loss'], rel=1e-6)
    for rank in ranks:  # DDP's averaged gradients, the same on both ranks
        for key, grad in single['grads'].items():
            grad, got = np.asarray(grad), np.asarray(rank['grads'][key])
            assert np.abs(got - grad).max() <= 1e-6 * np.abs(grad).max(), (loss, key)


@pytest.mark.parametrize('loss', LOSSES)
def test_published_per_rank_negatives_differ(loss, runs):
    """The default (published) takes negatives from each rank's share: another
    objective, so the comparison above can fail."""
    local = [rank[loss] for rank in runs['local']]
    assert abs(np.mean([r['loss'] for r in local]) - runs['single'][loss]['loss']) > 1e-3
