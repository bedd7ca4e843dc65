"""tools/analysis/gpu_check.sh (sspl/apis/gpu_check.py): its CPU dry run
writes the JSON and the markdown table with every figure of each method
(AMP, our fp32 path and the published computation of the same run, peak
memory) and a NaN-free AMP training run; the time budget stops a step and
says so; bad use is a clear error. No GPU here: the CUDA path is the same
code with other arguments."""
import json
import math
import os
import os.path as osp
import subprocess
import sys

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FIGURES = ('train_samples_per_s', 'fp32_train_samples_per_s', 'baseline_train_samples_per_s',
           'eval_samples_per_s', 'fp32_eval_samples_per_s', 'baseline_eval_samples_per_s',
           'amp_train_speedup', 'amp_eval_speedup', 'train_speedup', 'eval_speedup',
           'peak_mem_mb', 'fp32_peak_mem_mb', 'baseline_peak_mem_mb', 'train_efficiency')


@pytest.mark.slow
def test_dry_run_writes_the_json_and_the_table(tmp_path):
    """Both families (the ResNet-18 one's part and SSPL's), through the shell
    script as users run it."""
    out = tmp_path / 'check'
    env = dict(os.environ, PYTHON=sys.executable)
    result = subprocess.run(['bash', 'tools/analysis/gpu_check.sh', '--dry-run',
                             '--methods', 'ezvsl,sspl', '--out', str(out)],
                            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with open(out / 'gpu_check.json') as f:
        report = json.load(f)
    assert report['ok'] and report['environment']['dry_run']
    assert 'torch CPU capability' in report['environment']['cpu_bf16']
    assert [entry['name'] for entry in report['methods']] == ['EZ-VSL', 'SSPL w/ PCM']
    for entry in report['methods']:
        assert entry['status'] == 'ok' and entry['batch_size'] == 2
        figures = entry['figures']
        for key in FIGURES:
            assert math.isfinite(figures[key]) and figures[key] > 0, (entry['name'], key)
        assert figures['amp_train_speedup'] == pytest.approx(
            figures['train_samples_per_s'] / figures['fp32_train_samples_per_s'], rel=1e-2)
        assert figures['train_speedup'] == pytest.approx(
            figures['train_samples_per_s'] / figures['baseline_train_samples_per_s'], rel=1e-2)
        assert '--amp' in entry['benchmark']['command']
        assert '--baseline' in entry['benchmark']['command']
        training = entry['training']
        assert training['returncode'] == 0 and training['finite']
        assert training['optim_wrapper'] == 'BF16OptimWrapper'
        assert training['logged_losses'] == 2 and 'mean_cIoU' in training['val']
        assert osp.isfile(training['log']) and osp.isfile(entry['benchmark']['log'])
    table = (out / 'gpu_check.md').read_text()
    assert 'Dry run on the CPU' in table and 'not GPU figures' in table
    rows = [line for line in table.splitlines()
            if line.startswith('| ') and not line.startswith('| ---')]
    assert len(rows) == 1 + 2  # the header and one row per method
    assert rows[0].count('|') == rows[1].count('|') == rows[2].count('|')
    for row, entry in zip(rows[1:], report['methods']):
        assert row.startswith(f'| {entry["name"]} | 2 | ')
        assert f'{entry["figures"]["train_samples_per_s"]:.1f}' in row
        assert 'NaN-free (BF16OptimWrapper), 2 steps' in row
    assert table in result.stdout


def test_the_budget_stops_a_step_and_says_so(tmp_path):
    from sspl.apis import gpu_check
    report = gpu_check.main(['--dry-run', '--methods', 'fnac', '--budget', '2',
                             '--out', str(tmp_path)])
    (entry,) = report['methods']
    assert entry['benchmark']['timed_out'] and entry['status'].startswith('benchmark stopped')
    assert not report['ok']
    with open(tmp_path / 'gpu_check.json') as f:
        assert json.load(f)['methods'][0]['status'] == entry['status']
    assert '| FNAC (benchmark stopped' in (tmp_path / 'gpu_check.md').read_text()


def test_bad_use_is_a_clear_error(tmp_path, monkeypatch):
    from sspl.apis import gpu_check
    with pytest.raises(SystemExit, match="unknown --methods \\['lvs'\\]"):
        gpu_check.main(['--dry-run', '--methods', 'ezvsl,lvs', '--out', str(tmp_path)])
    import torch
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    with pytest.raises(SystemExit, match='CUDA is not available .* --dry-run'):
        gpu_check.main(['--out', str(tmp_path)])
