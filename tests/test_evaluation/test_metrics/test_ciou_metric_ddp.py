"""CIoUMetric under DDP: two gloo processes give the metric of one process, each
sample counted once although the sampler pads the last shard."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

WORKER = osp.join(osp.dirname(osp.abspath(__file__)), 'ddp_metric_worker.py')
NUM_SAMPLES = 47  # odd: DefaultSampler pads one duplicate for two ranks


def run_worker(out_dir, cases_dir, repo_root, nproc=None):
    os.makedirs(out_dir, exist_ok=True)
    args = [cases_dir, 'flickr', str(NUM_SAMPLES), str(out_dir)]
    if nproc is None:
        cmd = [sys.executable, WORKER, *args]
    else:
        cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone',
               f'--nproc_per_node={nproc}', WORKER, *args]
    env = dict(os.environ, PYTHONPATH=repo_root, OMP_NUM_THREADS='1')
    result = subprocess.run(cmd, cwd=repo_root, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with open(osp.join(out_dir, 'metrics.json')) as handle:
        metrics = json.load(handle)
    with open(osp.join(out_dir, 'per_sample.json')) as handle:
        per_sample = json.load(handle)
    return metrics, per_sample


def test_ddp_metric_equals_single_process(tmp_path, parity_dir, repo_root):
    cases_dir = osp.join(parity_dir, 'metric_cases')
    single, single_samples = run_worker(tmp_path / 'single', cases_dir, repo_root)
    ddp, ddp_samples = run_worker(tmp_path / 'ddp', cases_dir, repo_root, nproc=2)

    # the two ranks really split the data, and the sampler padded one duplicate
    seen = [json.loads((tmp_path / 'ddp' / f'seen_rank{r}.json').read_text()) for r in (0, 1)]
    assert len(seen[0]) == len(seen[1]) == (NUM_SAMPLES + 1) // 2
    assert len(seen[0] + seen[1]) == NUM_SAMPLES + 1
    assert set(seen[0]) != set(seen[1])

    assert ddp == pytest.approx(single, abs=1e-12)
    ids = [s['sample_id'] for s in ddp_samples['samples']]
    assert len(ids) == len(set(ids)) == NUM_SAMPLES  # each sample once
    assert sorted(ids) == sorted(s['sample_id'] for s in single_samples['samples'])
    by_id = {s['sample_id']: s for s in single_samples['samples']}
    for sample in ddp_samples['samples']:
        assert sample == pytest.approx(by_id[sample['sample_id']], abs=1e-12)
