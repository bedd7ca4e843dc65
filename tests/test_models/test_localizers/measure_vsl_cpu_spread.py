"""Measure how the float32 / float64 train-mode parity arrays of EZ-VSL, SLAVC
and FNAC move with the CPU kernels (the numbers quoted in test_vsl_parity.py).

Each kernel setting runs in its own process (the ISA caps must be set before
torch loads)::

    python tests/test_models/test_localizers/measure_vsl_cpu_spread.py OUT_DIR

Settings: oneDNN on / off, 1 / 2 threads, and the vector units capped at
AVX2 (``ATEN_CPU_CAPABILITY=avx2``, ``ONEDNN_MAX_CPU_ISA=AVX2``,
``MKL_ENABLE_INSTRUCTIONS=AVX2``: what an AVX2-only CPU runs). Prints, per
method and precision, the largest difference between settings and against the
published float32 arrays, per quantity.
"""
import itertools
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile

HERE = osp.dirname(osp.abspath(__file__))
AVX2 = dict(ATEN_CPU_CAPABILITY='avx2', ONEDNN_MAX_CPU_ISA='AVX2', MKL_ENABLE_INSTRUCTIONS='AVX2')
SETTINGS = {
    'onednn_2threads': (True, 2, {}),
    'onednn_1thread': (True, 1, {}),
    'native_1thread': (False, 1, {}),
    'native_2threads': (False, 2, {}),
    'avx2_onednn_2threads': (True, 2, AVX2),
    'avx2_native_1thread': (False, 1, AVX2),
}
METHODS = ('ezvsl', 'fnac', 'slavc')


def run_one(method, setting, out_file, parity_dir):
    """In this process: one train step per precision, saved as npz."""
    import numpy as np
    import torch
    from sspl.testing import vsl_parity_compute as compute
    from sspl.utils import register_all_modules
    register_all_modules()
    onednn, threads, _ = SETTINGS[setting]
    torch.set_num_threads(threads)
    arrays = {}
    with tempfile.TemporaryDirectory() as work, torch.backends.mkldnn.flags(enabled=onednn):
        files = compute.published_files(method, parity_dir, work)
        from sspl.models.converters import convert_published_checkpoint
        state_dict, meta = convert_published_checkpoint(method, files['checkpoint'])
        converted = osp.join(work, 'converted.pth')
        torch.save(dict(state_dict=state_dict, meta=meta), converted)
        _, to_published = compute.key_maps(method, parity_dir)
        for precision in ('float32', 'float64'):
            model = compute.load_model(method, converted, files['prior'])
            images, spectrogram = compute.load_inputs(parity_dir)
            if precision == 'float64':
                model.double()
                images, spectrogram = images.double(), spectrogram.double()
            step = compute.train_step(method, model, images, spectrogram, to_published)
            for key, value in step.arrays.items():
                arrays[f'{precision}/{key}'] = value
            for key, grad in step.grads.items():
                arrays[f'{precision}/train_grad_head::{key}'] = grad.ravel()[:512]
                arrays[f'{precision}/train_grad_norm::{key}'] = np.linalg.norm(grad)
            for key, buffer in step.buffers.items():
                arrays[f'{precision}/train_buffer::{key}'] = buffer
            for key, param in step.momentum.items():
                arrays[f'{precision}/train_momentum_head::{key}'] = param.ravel()[:512]
                arrays[f'{precision}/train_momentum_norm::{key}'] = np.linalg.norm(param)
            del model
    np.savez(out_file, **arrays)


def quantity(key: str) -> str:
    name = key.split('/', 1)[1]
    return name.split('::')[0] if '::' in name else ('loss' if 'loss' in name else 'eval-like')


def rel(actual, expected):
    import numpy as np
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    if actual.ndim == 0:
        return float(abs(actual - expected) / max(abs(expected), 1e-30))
    return float(np.abs(actual - expected).max() / max(np.abs(expected).max(), 1e-30))


def summarize(out_dir, parity_dir):
    import numpy as np
    report = {}
    for method in METHODS:
        published = dict(np.load(osp.join(parity_dir, 'vsl', f'{method}_expected.npz')))
        runs = {setting: dict(np.load(osp.join(out_dir, f'{method}_{setting}.npz')))
                for setting in SETTINGS}
        for precision in ('float32', 'float64'):
            spread, versus = {}, {}
            keys = [k for k in runs['onednn_2threads'] if k.startswith(precision + '/')]
            for key in keys:
                name = key.split('/', 1)[1]
                group = quantity(key)
                for a, b in itertools.combinations(SETTINGS, 2):
                    spread[group] = max(spread.get(group, 0.0), rel(runs[a][key], runs[b][key]))
                if name in published:
                    for setting in SETTINGS:
                        versus[group] = max(versus.get(group, 0.0),
                                            rel(runs[setting][key], published[name]))
            report[f'{method}/{precision}'] = dict(spread_between_settings=spread,
                                                   worst_vs_published=versus)
    print(json.dumps(report, indent=1, sort_keys=True))
    return report


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == '--one':
        method, setting, out_file, parity_dir = argv[1:5]
        return run_one(method, setting, out_file, parity_dir)
    out_dir = argv[0]
    repo = osp.dirname(osp.dirname(osp.dirname(HERE)))
    parity_dir = os.environ.get('SSPL_PARITY_DIR', osp.join(osp.dirname(repo), 'shared', 'parity'))
    os.makedirs(out_dir, exist_ok=True)
    for method in METHODS:
        for setting, (_, threads, env) in SETTINGS.items():
            out_file = osp.join(out_dir, f'{method}_{setting}.npz')
            if osp.exists(out_file):
                continue
            child_env = dict(os.environ, OMP_NUM_THREADS=str(threads), **env)
            subprocess.run([sys.executable, __file__, '--one', method, setting, out_file,
                            parity_dir], check=True, env=child_env, cwd=repo,
                           stdout=subprocess.DEVNULL)
            print(f'done {method} {setting}', flush=True)
    summarize(out_dir, parity_dir)


if __name__ == '__main__':
    main()
