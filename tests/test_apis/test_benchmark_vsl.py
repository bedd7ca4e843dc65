"""The benchmark (sspl/apis/benchmark.py, tools/analysis/benchmark.py) on the
ResNet-18 family, tiny synthetic models: every figure against the published
computation is there and consistent (ratios of the printed figures), with
--amp the fp32 path of the same run, the CPU's bf16 units are printed.
Never a speed check."""
import math
import os.path as osp

import pytest

FIGURES = ('train_samples_per_s', 'eval_samples_per_s', 'data_samples_per_s',
           'data_worker_spectrogram_samples_per_s', 'data_published_samples_per_s',
           'data_workers_samples_per_s', 'peak_mem_mb', 'floor_samples_per_s',
           'train_efficiency', 'eval_floor_samples_per_s', 'eval_efficiency',
           'baseline_eval_efficiency', 'fp32_train_samples_per_s', 'fp32_eval_samples_per_s',
           'fp32_peak_mem_mb', 'amp_train_speedup', 'amp_eval_speedup',
           'baseline_train_samples_per_s', 'baseline_eval_samples_per_s',
           'baseline_data_samples_per_s', 'baseline_data_workers_samples_per_s',
           'baseline_peak_mem_mb', 'baseline_train_efficiency', 'train_speedup',
           'eval_speedup', 'data_speedup', 'data_workers_speedup')


def figures_of(output: str) -> dict:
    figures = {}
    for line in output.splitlines():
        if line and not line.startswith('#') and ': ' in line:
            key, value = line.split(': ', 1)
            figures[key] = float(value)
    return figures


def argv(repo_root, method, tmp_path, *extra):
    config = osp.join(repo_root, 'configs', method, f'{method}_synthetic.py')
    return [config, '--batch-size', '2', '--iters', '1', '--warmup', '0', '--device', 'cpu',
            '--threads', '1', '--data-samples', '4', '--work-dir', str(tmp_path), *extra]


def test_ezvsl_against_the_published_computation_with_amp(load_tool, repo_root, tmp_path,
                                                          capsys):
    benchmark = load_tool('tools/analysis/benchmark.py')
    returned = benchmark.main(argv(repo_root, 'ezvsl', tmp_path, '--baseline', '--amp'))
    output = capsys.readouterr().out
    figures = figures_of(output)
    assert set(FIGURES) <= set(figures), set(FIGURES) - set(figures)
    assert figures == pytest.approx({key: returned[key] for key in figures}, rel=1e-3, abs=1e-3)
    for key, value in figures.items():
        assert math.isfinite(value) and value > 0, key

    def ratio(a, b):
        return figures[a] / figures[b]

    assert figures['train_efficiency'] == pytest.approx(
        ratio('train_samples_per_s', 'floor_samples_per_s'), rel=1e-2)
    assert figures['baseline_train_efficiency'] == pytest.approx(
        ratio('baseline_train_samples_per_s', 'floor_samples_per_s'), rel=1e-2)
    for prefix in ('', 'baseline_'):
        assert figures[f'{prefix}eval_efficiency'] == pytest.approx(
            ratio(f'{prefix}eval_samples_per_s', 'eval_floor_samples_per_s'), rel=1e-2)
    for key in ('train', 'eval', 'data', 'data_workers'):
        assert figures[f'{key}_speedup'] == pytest.approx(
            ratio(f'{key}_samples_per_s', f'baseline_{key}_samples_per_s'), rel=1e-2)
    for key in ('train', 'eval'):
        assert figures[f'amp_{key}_speedup'] == pytest.approx(
            ratio(f'{key}_samples_per_s', f'fp32_{key}_samples_per_s'), rel=1e-2)
    # the published loader is the baseline's data; ours packs the waveform
    assert figures['baseline_data_samples_per_s'] == figures['data_published_samples_per_s']
    assert '; AMP bfloat16' in output.splitlines()[0]
    assert any(line.startswith('# CPU bf16: ') and 'torch CPU capability' in line
               for line in output.splitlines())
    assert '# fast path: audio input device: spectrogram on the device' in output
    assert 'visual_backbone channels_last=True, audio_backbone channels_last=True' in output
    assert '# fast: floor = image encoder ' in output and ' + rest of the model ' in output
    assert '# fast: eval floor = image encoder ' in output
    assert '# fast path optimizer: Adam with fused=True' in output


@pytest.mark.parametrize('method', ['slavc', 'fnac'])
def test_slavc_and_fnac_model_figures(load_tool, repo_root, tmp_path, capsys, method):
    """--skip-data: the model figures only; FNAC's masks keep its
    spectrogram in the workers."""
    benchmark = load_tool('tools/analysis/benchmark.py')
    benchmark.main(argv(repo_root, method, tmp_path, '--baseline', '--skip-data'))
    output = capsys.readouterr().out
    figures = figures_of(output)
    assert not any(key.startswith(('data_', 'baseline_data')) for key in figures)
    for key in ('train_samples_per_s', 'eval_samples_per_s', 'floor_samples_per_s',
                'train_efficiency', 'eval_floor_samples_per_s', 'eval_efficiency',
                'baseline_train_samples_per_s',
                'baseline_eval_samples_per_s', 'train_speedup', 'eval_speedup'):
        assert math.isfinite(figures[key]) and figures[key] > 0, key
    mode = 'worker' if method == 'fnac' else 'device'
    assert f'# fast path: audio input {mode}' in output
    if method == 'fnac':
        assert 'its workers transform the spectrogram (FrequencyMask, TimeMask)' in output
