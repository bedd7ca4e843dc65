"""Smoke tests of tools/analysis/benchmark.py on small models (figures are
checked for presence and consistency, never for speed)."""
import math
import os.path as osp

import pytest

pytestmark = pytest.mark.usefixtures('one_thread')  # (tests/conftest.py)

KEYS = ('train_samples_per_s', 'eval_samples_per_s', 'data_samples_per_s',
        'data_logmel_samples_per_s', 'data_workers_samples_per_s', 'peak_mem_mb',
        'floor_samples_per_s', 'train_efficiency', 'eval_floor_samples_per_s', 'eval_efficiency')
BASELINE_KEYS = ('train_samples_per_s', 'eval_samples_per_s', 'data_samples_per_s',
                 'data_workers_samples_per_s', 'peak_mem_mb', 'train_efficiency',
                 'eval_efficiency')


@pytest.fixture(scope='module')
def benchmark(load_tool):
    return load_tool('tools/analysis/benchmark.py')


def _figures(output: str) -> dict:
    figures = {}
    for line in output.splitlines():
        if line and not line.startswith('#') and ': ' in line:
            key, value = line.split(': ', 1)
            figures[key] = float(value)
    return figures


def test_figures_of_fast_path_and_baseline(benchmark, repo_root, tmp_path, capsys):
    config = osp.join(repo_root, 'configs', 'sspl_w_pcm_synthetic.py')
    benchmark.main([config, '--batch-size', '2', '--iters', '1', '--warmup', '0',
                    '--device', 'cpu', '--baseline', '--threads', '1', '--data-samples', '4',
                    '--work-dir', str(tmp_path)])
    output = capsys.readouterr().out
    figures = _figures(output)
    expected = set(KEYS) | {f'baseline_{k}' for k in BASELINE_KEYS} | {
        'train_speedup', 'eval_speedup', 'data_speedup', 'data_workers_speedup'}
    assert expected <= set(figures), expected - set(figures)
    for key, value in figures.items():
        assert math.isfinite(value), key
        if key.endswith(('_per_s', '_speedup', '_efficiency')):
            assert value > 0, key
    assert figures['train_efficiency'] == pytest.approx(
        figures['train_samples_per_s'] / figures['floor_samples_per_s'], rel=1e-2)
    assert figures['train_speedup'] == pytest.approx(
        figures['train_samples_per_s'] / figures['baseline_train_samples_per_s'], rel=1e-2)
    for prefix in ('', 'baseline_'):
        assert figures[f'{prefix}eval_efficiency'] == pytest.approx(
            figures[f'{prefix}eval_samples_per_s'] / figures['eval_floor_samples_per_s'],
            rel=1e-2)
    assert '# fast: eval floor = visual backbone ' in output
    assert figures['baseline_data_samples_per_s'] == figures['data_logmel_samples_per_s']
    assert '# fast path: audio input cache' in output
    # the cache the fast path read: one entry per clip of each split
    import glob
    assert len(glob.glob(str(tmp_path / 'vggish_embeddings' / '*' / '*' / '*.npy'))) == 8


def test_model_only_config_gets_the_published_pipeline(benchmark, repo_root, tmp_path, capsys):
    """A config without dataloaders (configs/sspl_w_pcm.py today) runs on
    synthetic 256 px clips through the published 224 px pipelines."""
    config = tmp_path / 'model_only.py'
    config.write_text(
        f"_base_ = [{osp.join(repo_root, 'configs', '_base_', 'models', 'sspl_wo_pcm.py')!r}, "
        f"{osp.join(repo_root, 'configs', '_base_', 'schedules', 'sspl_adamw.py')!r}]\n"
        "model = dict(visual_backbone=dict(width_mult=0.0625), "
        "audio_backbone=dict(width_mult=0.125, hidden_dim=64), "
        "audio_head=dict(hidden_dim=32, out_dim=32), "
        "head=dict(in_dim=32, dim=64, pred_hidden_dim=16))\n")
    benchmark.main([str(config), '--batch-size', '2', '--iters', '1', '--warmup', '0',
                    '--device', 'cpu', '--threads', '1', '--data-samples', '4',
                    '--audio', 'waveform', '--work-dir', str(tmp_path / 'work')])
    output = capsys.readouterr().out
    assert 'the published pipeline' in output
    assert '256 px PNG frames' in output
    assert set(KEYS) <= set(_figures(output))
    assert not any(key.startswith('baseline_') for key in _figures(output))


def test_any_localizer_without_a_benchmark_part(benchmark, repo_root, tmp_path, capsys):
    """The centre prior (no trainable parameters, no benchmark part of its
    own): eval and data figures of its config's test pipeline, no training
    figures; --baseline is a clear error."""
    config = osp.join(repo_root, 'configs', 'baselines', 'center_prior_synthetic.py')
    argv = [config, '--batch-size', '2', '--iters', '1', '--warmup', '0', '--device', 'cpu',
            '--threads', '1', '--data-samples', '4', '--work-dir', str(tmp_path)]
    returned = benchmark.main(argv)
    output = capsys.readouterr().out
    figures = _figures(output)
    assert set(figures) == {'eval_samples_per_s', 'data_samples_per_s',
                            'data_workers_samples_per_s'}
    assert all(value > 0 and math.isfinite(value) for value in figures.values())
    assert figures == pytest.approx({key: returned[key] for key in figures}, rel=1e-3)
    assert 'training: skipped (CenterPriorLocalizer has no trainable parameters)' in output
    with pytest.raises(SystemExit, match='no published-computation baseline'):
        benchmark.main(argv + ['--baseline'])
    with pytest.raises(SystemExit, match='not an audio input of CenterPriorLocalizer'):
        benchmark.main(argv + ['--audio', 'cache'])
