"""One GPU check for the whole toolbox (``tools/analysis/gpu_check.sh``).

For each method, at its published batch size (its config's train batch):

- the benchmark (:mod:`sspl.apis.benchmark`) with ``--amp --baseline``: our
  path under bf16 autocast (fp16 where the GPU has no bf16) and in fp32, and
  the published computation in fp32, all in the same process with their
  iterations interleaved: train and eval samples/s, the train floor and
  efficiency, peak memory of a training step;
- a short AMP training run (``tools/train.py --amp``) of the method's
  synthetic config on a few synthetic clips, checked NaN-free (every logged
  loss and the validation scores finite).

It writes one JSON (every figure, the commands, the environment) and one
markdown table, after every step, so a run stopped by its time budget keeps
what it measured. The whole check fits in a time budget (8 minutes by
default): each step gets a share of what is left, and a step past its share is
stopped and recorded as such.

``--dry-run`` runs the same steps on the CPU with the synthetic configs at
batch 2, one iteration, a few clips: it checks the plumbing (commands,
parsing, the two outputs) where no GPU is, as the tests do; its figures are
not GPU figures and the outputs say so.
"""
import argparse
import datetime
import glob
import json
import math
import os
import os.path as osp
import platform
import signal
import subprocess
import sys
import time
from typing import List, Optional

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

# name, published config (the benchmark, at its batch), synthetic config
# (the short AMP training run and the dry run's benchmark)
METHODS = (
    ('EZ-VSL', 'configs/ezvsl/ezvsl_flickr10k.py', 'configs/ezvsl/ezvsl_synthetic.py'),
    ('SLAVC', 'configs/slavc/slavc_vggsound144k.py', 'configs/slavc/slavc_synthetic.py'),
    ('FNAC', 'configs/fnac/fnac_vggsound144k.py', 'configs/fnac/fnac_synthetic.py'),
    ('SSPL w/ PCM', 'configs/sspl_w_pcm.py', 'configs/sspl_w_pcm_synthetic.py'),
)
METHOD_KEYS = {'EZ-VSL': 'ezvsl', 'SLAVC': 'slavc', 'FNAC': 'fnac', 'SSPL w/ PCM': 'sspl'}

# the figures of the table, from the benchmark's output
TABLE = (
    ('batch', None),
    ('train AMP', 'train_samples_per_s'),
    ('train fp32', 'fp32_train_samples_per_s'),
    ('train published', 'baseline_train_samples_per_s'),
    ('AMP / fp32', 'amp_train_speedup'),
    ('AMP / published', None),
    ('fp32 / published', None),
    ('efficiency (AMP)', 'train_efficiency'),
    ('eval AMP', 'eval_samples_per_s'),
    ('eval fp32', 'fp32_eval_samples_per_s'),
    ('eval published', 'baseline_eval_samples_per_s'),
    ('peak MB AMP / fp32 / published', None),
    ('AMP training', None),
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='GPU check of every method: fp32 vs AMP train and eval throughput '
        'against the published computation in the same run, peak memory, a short '
        'NaN-free AMP training run; one JSON and one markdown table')
    parser.add_argument('--out', default='work_dirs/gpu_check',
                        help='folder of gpu_check.json, gpu_check.md and the runs')
    parser.add_argument('--dry-run', action='store_true',
                        help='the same steps on the CPU with the synthetic configs, batch 2, '
                        'one iteration: checks the plumbing where no GPU is')
    parser.add_argument('--methods', help='comma-separated subset of '
                        + ', '.join(METHOD_KEYS.values()) + ' (default: all)')
    parser.add_argument('--budget', type=float, default=450.0,
                        help='seconds for the whole check (default 450: 8 minutes with '
                        'the start-up); each step gets a share of what is left')
    parser.add_argument('--iters', type=int, default=10, help='timed benchmark iterations')
    parser.add_argument('--warmup', type=int, default=3, help='untimed benchmark iterations')
    parser.add_argument('--train-iters', type=int, default=30,
                        help='iterations of the short AMP training run')
    return parser.parse_args(argv)


def parse_figures(output: str) -> tuple:
    """``(figures, notes)`` of the benchmark's output: ``key: value`` lines
    and ``#`` notes."""
    figures, notes = {}, []
    for line in output.splitlines():
        if line.startswith('# '):
            notes.append(line[2:])
        elif ': ' in line and not line.startswith(' '):
            key, value = line.split(': ', 1)
            try:
                figures[key] = float(value)
            except ValueError:
                continue
    return figures, notes


def run_step(command: List[str], timeout: float, log_path: str, env: dict) -> dict:
    """Runs ``command`` from the repository root with a time limit; its
    output goes to ``log_path``."""
    start = time.perf_counter()
    try:
        result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True,
                                text=True, timeout=max(timeout, 1.0))
        output, returncode, timed_out = result.stdout + result.stderr, result.returncode, False
    except subprocess.TimeoutExpired as error:
        output = ((error.stdout or b'').decode(errors='replace')
                  if isinstance(error.stdout, bytes) else (error.stdout or ''))
        returncode, timed_out = None, True
    with open(log_path, 'w') as f:
        f.write(' '.join(command) + '\n' + output)
    return dict(command=' '.join(command), returncode=returncode, timed_out=timed_out,
                seconds=round(time.perf_counter() - start, 1), log=log_path, output=output)


def benchmark_command(config: str, args, work_dir: str) -> List[str]:
    command = [sys.executable, 'tools/analysis/benchmark.py', config, '--amp', '--baseline',
               '--skip-data', '--synthetic', '--work-dir', work_dir]
    if args.dry_run:
        return command + ['--device', 'cpu', '--batch-size', '2', '--iters', '1',
                          '--warmup', '0', '--threads', '1', '--data-samples', '4']
    # the config's train batch: the published one
    return command + ['--device', 'cuda', '--iters', str(args.iters),
                      '--warmup', str(args.warmup)]


def training_command(config: str, args, work_dir: str, data_root: str) -> List[str]:
    batch = 2 if args.dry_run else 16
    iters = 2 if args.dry_run else args.train_iters
    num_train = batch * iters
    options = ['train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
               'default_hooks.logger.interval=1', 'log_processor.window_size=1',
               'randomness.seed=0', 'default_hooks.checkpoint.interval=1',
               # random weights: the check is for NaNs, and a fresh machine has no
               # pretrained file (SSPL's synthetic config names one)
               'model.visual_backbone.pretrained=None']
    for split, num in (('train', num_train), ('val', batch * 2), ('test', batch * 2)):
        options += [f'{split}_dataloader.batch_size={batch}',
                    f'{split}_dataloader.num_workers={0 if args.dry_run else 4}',
                    f'{split}_dataloader.persistent_workers=False',
                    f'{split}_dataloader.dataset.data_root={data_root}',
                    f'{split}_dataloader.dataset.num_samples={num}']
    return [sys.executable, 'tools/train.py', config, '--amp', '--work-dir', work_dir,
            '--cfg-options'] + options


def training_check(work_dir: str, config: str) -> dict:
    """The logged training losses and validation scores of the run in
    ``work_dir``: how many, whether every one is finite, and the optim
    wrapper of the config the run dumped (the AMP one)."""
    losses, scores = [], {}
    wrapper = None
    dumped = osp.join(work_dir, osp.basename(config))
    if osp.isfile(dumped):
        with open(dumped) as f:
            text = f.read()
        wrapper = next((name for name in ('BF16OptimWrapper', 'AmpOptimWrapper')
                        if name in text), 'OptimWrapper (no AMP)')
    for path in glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')):
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                if 'loss' in record:
                    losses.append(float(record['loss']))
                elif 'step' in record:
                    scores.update({key: float(value) for key, value in record.items()
                                   if key != 'step' and isinstance(value, (int, float))})
    finite = bool(losses) and all(math.isfinite(value) for value in losses) \
        and all(math.isfinite(value) for value in scores.values())
    return dict(optim_wrapper=wrapper, logged_losses=len(losses), first_loss=losses[0] if losses else None,
                last_loss=losses[-1] if losses else None, val=scores, finite=finite)


def environment(dry_run: bool) -> dict:
    import torch
    info = dict(date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
                python=platform.python_version(), torch=torch.__version__,
                dry_run=dry_run, host_cpus=os.cpu_count())
    try:
        info['git_commit'] = subprocess.run(
            ['git', 'rev-parse', 'HEAD'], cwd=REPO_ROOT, capture_output=True, text=True,
            timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        info['git_commit'] = None
    if dry_run:
        from sspl.utils.benchmark import cpu_bf16_capability
        info.update(device='cpu (dry run: not GPU figures)', cpu_bf16=cpu_bf16_capability())
    else:
        info.update(device=torch.cuda.get_device_name(), cuda=torch.version.cuda,
                    bf16_supported=torch.cuda.is_bf16_supported(),
                    gpu_memory_gb=round(torch.cuda.get_device_properties(0).total_memory
                                        / 2 ** 30, 1))
    return info


def _fmt(value, digits=1) -> str:
    if value is None:
        return '-'
    return f'{value:.{digits}f}' if isinstance(value, float) else str(value)


def _ratio(a, b) -> Optional[float]:
    return a / b if a is not None and b else None


def markdown(report: dict) -> str:
    env = report['environment']
    lines = [f'GPU check: {env["device"]}, torch {env["torch"]}'
             + (f', CUDA {env.get("cuda")}' if not env['dry_run'] else '')
             + f', {env["date"]}, commit {(env.get("git_commit") or "?")[:10]}', '']
    if env['dry_run']:
        lines += ['**Dry run on the CPU (synthetic configs, batch 2, one iteration): '
                  'checks the plumbing; these are not GPU figures.**', '']
    lines += ['Samples/s; AMP = ' + ('bf16' if env.get('bf16_supported', True) else 'fp16')
              + ' autocast on our path; fp32 = our path in fp32; published = the published '
              'computation in fp32; all three in the same run.', '']
    lines.append('| method | ' + ' | '.join(name for name, _ in TABLE) + ' |')
    lines.append('| --- ' * (len(TABLE) + 1) + '|')
    for entry in report['methods']:
        figures = entry.get('figures') or {}
        training = entry.get('training') or {}
        cells = []
        for name, key in TABLE:
            if key is not None:
                value = figures.get(key)
                cells.append(_fmt(value, 2 if 'speedup' in key or 'efficiency' in key else 1))
            elif name == 'batch':
                cells.append(_fmt(entry.get('batch_size')))
            elif name == 'AMP / published':
                cells.append(_fmt(_ratio(figures.get('train_samples_per_s'),
                                         figures.get('baseline_train_samples_per_s')), 2))
            elif name == 'fp32 / published':
                cells.append(_fmt(_ratio(figures.get('fp32_train_samples_per_s'),
                                         figures.get('baseline_train_samples_per_s')), 2))
            elif name.startswith('peak MB'):
                cells.append(' / '.join(_fmt(figures.get(key), 0) for key in (
                    'peak_mem_mb', 'fp32_peak_mem_mb', 'baseline_peak_mem_mb')))
            elif name == 'AMP training':
                if not training:
                    cells.append('-')
                else:
                    cells.append(('NaN-free' if training.get('finite') else 'NOT finite')
                                 + f' ({training.get("optim_wrapper")})'
                                 + f', {training.get("logged_losses", 0)} steps, loss '
                                 + _fmt(training.get('first_loss'), 3) + ' -> '
                                 + _fmt(training.get('last_loss'), 3))
        status = entry.get('status', '')
        lines.append(f'| {entry["name"]}' + (f' ({status})' if status != 'ok' else '')
                     + ' | ' + ' | '.join(cells) + ' |')
    lines += ['', f'Total {report.get("seconds", 0):.0f} s of a {report["budget_s"]:.0f} s '
              'budget. Commands and every figure: gpu_check.json.']
    return '\n'.join(lines) + '\n'


def write(report: dict, out: str) -> None:
    for name, text in (('gpu_check.json', json.dumps(report, indent=2)),
                       ('gpu_check.md', markdown(report))):
        path = osp.join(out, name)
        with open(path + '.tmp', 'w') as f:
            f.write(text)
        os.replace(path + '.tmp', path)


def main(argv=None) -> dict:
    # the shell script's hard stop (timeout's TERM) becomes an exception here,
    # so subprocess.run kills the running step instead of leaving it behind
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        return _check(parse_args(argv))
    finally:
        signal.signal(signal.SIGTERM, previous)


def _check(args) -> dict:
    start = time.perf_counter()
    methods = METHODS
    if args.methods:
        wanted = [name.strip() for name in args.methods.split(',') if name.strip()]
        unknown = set(wanted) - set(METHOD_KEYS.values())
        if unknown:
            raise SystemExit(f'gpu_check: unknown --methods {sorted(unknown)}; '
                             f'choose among {sorted(METHOD_KEYS.values())}')
        methods = [method for method in METHODS if METHOD_KEYS[method[0]] in wanted]
    if not args.dry_run:
        import torch
        if not torch.cuda.is_available():
            raise SystemExit('gpu_check: CUDA is not available (use --dry-run to check the '
                             'script on a CPU)')
    out = osp.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    if args.dry_run:
        env.update(CUDA_VISIBLE_DEVICES='', OMP_NUM_THREADS='1')
    report = dict(environment=environment(args.dry_run), budget_s=args.budget, methods=[])
    methods_left = len(methods)
    for name, config, synthetic_config in methods:
        key = METHOD_KEYS[name]
        bench_config = synthetic_config if args.dry_run else config
        entry = dict(name=name, config=bench_config, training_config=synthetic_config,
                     status='ok')
        report['methods'].append(entry)
        # ---- benchmark: AMP, fp32 and the published computation, same run
        # the benchmark: 70% of this method's share of what is left
        share = 0.7 * (args.budget - (time.perf_counter() - start)) / methods_left
        step = run_step(benchmark_command(bench_config, args, osp.join(out, f'{key}_bench')),
                        share, osp.join(out, f'{key}_benchmark.log'), env)
        entry['benchmark'] = {k: v for k, v in step.items() if k != 'output'}
        entry['figures'], entry['notes'] = parse_figures(step['output'])
        for note in entry['notes']:
            if note.startswith('config ') and '; batch ' in note:
                entry['batch_size'] = int(note.split('; batch ')[1].split(';')[0])
        if step['timed_out']:
            entry['status'] = f'benchmark stopped after {share:.0f} s'
        elif step['returncode'] != 0:
            entry['status'] = f'benchmark failed (exit {step["returncode"]}, see its log)'
        write(report, out)
        # ---- short AMP training run on synthetic clips, NaN-free
        share = (args.budget - (time.perf_counter() - start)) / methods_left
        work_dir = osp.join(out, f'{key}_train')
        step = run_step(training_command(synthetic_config, args, work_dir,
                                         osp.join(out, 'synthetic_data')),
                        share, osp.join(out, f'{key}_train.log'), env)
        methods_left -= 1
        entry['training'] = {k: v for k, v in step.items() if k != 'output'}
        entry['training'].update(training_check(work_dir, synthetic_config))
        if step['timed_out']:
            entry['status'] = 'training stopped by the time budget' \
                if entry['status'] == 'ok' else entry['status']
        elif step['returncode'] != 0 or not entry['training']['finite'] \
                or entry['training']['optim_wrapper'] not in ('BF16OptimWrapper',
                                                              'AmpOptimWrapper'):
            problem = 'training failed' if step['returncode'] != 0 else \
                'training NOT finite' if not entry['training']['finite'] else \
                'training without AMP'
            entry['status'] = problem if entry['status'] == 'ok' \
                else f'{entry["status"]}; {problem}'
        report['seconds'] = round(time.perf_counter() - start, 1)
        write(report, out)
    report['seconds'] = round(time.perf_counter() - start, 1)
    report['ok'] = all(entry['status'] == 'ok' for entry in report['methods'])
    write(report, out)
    print(markdown(report), end='')
    print(f'wrote {osp.join(out, "gpu_check.json")} and {osp.join(out, "gpu_check.md")}')
    return report


if __name__ == '__main__':
    sys.exit(0 if main().get('ok') else 1)
