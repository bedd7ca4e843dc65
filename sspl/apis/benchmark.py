"""Throughput of any config: training step, evaluation step, data loading,
peak memory; and, where the method's part of the benchmark defines them, the
floor of its training step and its published-computation baseline.

``tools/analysis/benchmark.py`` is its command line (see its docstring and
docs/benchmark.md for the figures). The core here never names a method: what
is method-specific (audio inputs and caches, the floor's parts, the baseline
model) comes from the :class:`sspl.utils.benchmark.MethodBenchmark` registered
in ``sspl.registry.METHOD_BENCHMARKS`` under the model's type (or one of its
base classes); a method without one is benchmarked on its config's pipelines.

Weights are random (throughput does not depend on their values): every
``pretrained`` file of the model config is dropped. When the config's dataset
is not on disk (or with ``--synthetic``), synthetic clips of the config's
shapes (``SyntheticAVDataset``) go through the config's pipelines. A model
without trainable parameters (e.g. the centre prior) gets the evaluation and
data figures only.
"""
import argparse
import copy
import os
import os.path as osp
import shutil
import statistics
import tempfile
import time
from contextlib import nullcontext
from typing import Dict, List, Optional

import torch
from mmengine.config import Config, ConfigDict, DictAction
from mmengine.dataset import default_collate, pseudo_collate
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper

from sspl.engine.optimizers import amp_dtype_for, amp_optim_wrapper_cfg
from .model import without_pretrained_weights
from sspl.datasets.sample_randomness import SampleKey
from sspl.registry import DATASETS, METHOD_BENCHMARKS, MODELS
from sspl.utils import register_all_modules
from sspl.utils.benchmark import (MethodBenchmark, PeakMemory, cpu_bf16_capability,
                                  median_time, timed_call, torch_threads)

DEFAULT_DATALOADER = dict(num_workers=2, persistent_workers=True,
                          sampler=dict(type='KeyedSampler', shuffle=False),
                          collate_fn=dict(type='default_collate'))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Throughput of training, evaluation and data')
    parser.add_argument('config')
    parser.add_argument('--batch-size', type=int, help='default: the config\'s train batch size')
    parser.add_argument('--iters', type=int, default=5, help='timed iterations per figure')
    parser.add_argument('--warmup', type=int, default=1, help='untimed iterations first')
    parser.add_argument('--device', choices=['cpu', 'cuda'],
                        default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--amp', action='store_true',
                        help='mixed precision: bf16 autocast where supported, else fp16; '
                        'the fast path is also measured in fp32 in the same run (fp32_* '
                        'figures, amp_*_speedup), the baseline stays fp32 (as published)')
    parser.add_argument('--baseline', action='store_true',
                        help='also measure the method\'s published computation, in the same '
                        'process (where its benchmark part defines one)')
    parser.add_argument('--synthetic', action='store_true',
                        help='synthetic clips even if the config\'s dataset is on disk')
    parser.add_argument('--data-samples', type=int, default=64,
                        help='clips per split; batches larger than that cycle through them')
    parser.add_argument('--skip-data', action='store_true',
                        help='model figures only (no data pipeline timings)')
    parser.add_argument('--synthetic-size', type=int, default=256,
                        help='side of the synthetic frames (256: the published h5 packs)')
    parser.add_argument('--audio', default='auto',
                        help='audio input of the fast path, among those the method\'s '
                        'benchmark part offers (SSPL: cache = cached VGGish embeddings, '
                        'logmel = log-mel in the data pipeline, waveform = log-mel on the '
                        'device); auto: the method\'s default')
    parser.add_argument('--num-workers', type=int,
                        help='data workers of the multi-worker data figure '
                        '(default: the config\'s num_workers)')
    parser.add_argument('--threads', type=int,
                        help='torch intra-op threads of the main process (default: torch\'s, '
                        'one per core); data workers always use one')
    parser.add_argument('--compile', action='store_true',
                        help='torch.compile the train step (as cfg.compile does)')
    parser.add_argument('--work-dir', help='folder for synthetic data and caches '
                        '(default: a temporary folder, removed at exit)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config')
    return parser.parse_args(argv)


def report(key: str, value: float) -> None:
    print(f'{key}: {value:.3f}', flush=True)


def note(text: str) -> None:
    print(f'# {text}', flush=True)


# ------------------------------------------------------------ the method
def method_benchmark_for(model_cfg) -> type:
    """The :class:`MethodBenchmark` registered for the model's type or, failing
    that, for the nearest of its base classes; the base class otherwise."""
    model_type = model_cfg.get('type')
    model_class = MODELS.get(model_type) if isinstance(model_type, str) else model_type
    if model_class is None:
        raise ValueError(f'benchmark: model type {model_type!r} is not registered')
    for klass in model_class.__mro__:
        part = METHOD_BENCHMARKS.get(klass.__name__)
        if part is not None:
            return part
    return MethodBenchmark


# ------------------------------------------------------------------- data
def _dataset_on_disk(dataset_cfg) -> tuple:
    """``(on_disk, reason)`` for a dataset config."""
    if dataset_cfg.get('type') == 'SyntheticAVDataset':
        return False, 'the config\'s dataset is the built-in synthetic one'
    data_root = dataset_cfg.get('data_root', '')
    if data_root and not osp.isdir(data_root):
        return False, f'{data_root} is not on disk'
    ann_file = dataset_cfg.get('ann_file', '')
    if ann_file:
        path = ann_file if osp.isabs(ann_file) else osp.join(data_root, ann_file)
        if not osp.exists(path):
            return False, f'{path} is not on disk'
    return True, ''


class BenchmarkData:
    """Datasets of one split for the benchmark: the config's (on disk) or
    synthetic clips of the config's shapes, with any pipeline."""

    def __init__(self, dataloader_cfg, split: str, num_samples: int, work_dir: str,
                 force_synthetic: bool, synthetic_size: int):
        self.dataloader_cfg = dataloader_cfg
        dataset_cfg = dict(dataloader_cfg['dataset'])
        while 'pipeline' not in dataset_cfg and isinstance(dataset_cfg.get('dataset'), dict):
            dataset_cfg = dict(dataset_cfg['dataset'])  # through dataset wrappers
        self.pipeline = list(dataset_cfg.pop('pipeline'))
        on_disk, reason = _dataset_on_disk(dataset_cfg)
        if force_synthetic:
            on_disk, reason = False, '--synthetic'
        self.synthetic = not on_disk
        self.reason = reason
        if on_disk:
            dataset_cfg['indices'] = num_samples
        else:
            synthetic = dataset_cfg.get('type') == 'SyntheticAVDataset'
            image_size = dataset_cfg.get('image_size', synthetic_size) if synthetic \
                else synthetic_size
            views = dataset_cfg.get('views', 'one_frame') if synthetic else 'one_frame'
            dataset_cfg = dict(type='SyntheticAVDataset',
                               data_root=osp.join(work_dir, f'synthetic_{image_size}'),
                               split=split, num_samples=num_samples, image_size=image_size,
                               views=views, test_mode=split != 'train')
        self.dataset_cfg = dataset_cfg

    def build(self, pipeline):
        return DATASETS.build(dict(self.dataset_cfg, pipeline=pipeline))

    def collate(self, items):
        collate_type = (self.dataloader_cfg.get('collate_fn') or {}).get('type',
                                                                         'pseudo_collate')
        return (default_collate if collate_type == 'default_collate' else pseudo_collate)(items)

    def batches(self, dataset, batch_size: int, count: int) -> list:
        """``count`` collated batches; the samples cycle through the dataset
        when it holds fewer than ``count * batch_size`` (each index is
        loaded once)."""
        needed = count * batch_size
        items = [dataset[keyed(index)] for index in range(min(needed, len(dataset)))]
        return [self.collate([items[(i * batch_size + j) % len(items)]
                              for j in range(batch_size)]) for i in range(count)]


def keyed(index: int) -> SampleKey:
    """``index`` as sspl's sampler gives it (seed 0, epoch 0): the random
    transforms draw from the sample's own generator, the same in every run."""
    return SampleKey(index, epoch=0, seed=0)


def warm(dataset) -> None:
    """One untimed pass over ``dataset``: a cache its pipeline fills on a miss
    (e.g. the VGGish embedding cache) is full before anything is timed."""
    for index in range(len(dataset)):
        dataset[keyed(index)]


def time_data_per_worker(data: BenchmarkData, dataset, batch_size: int, iters: int,
                         warmup: int) -> float:
    """Samples/s of the pipeline and the collate function in this process
    with one torch thread (as a data worker runs them): median batch time
    over ``iters`` batches."""
    size = len(dataset)
    with torch_threads(1):
        seconds = median_time(
            lambda i: data.collate([dataset[keyed((i * batch_size + j) % size)]
                                    for j in range(batch_size)]),
            iters, warmup, 'cpu')
    return batch_size / seconds


def time_data_workers(data: BenchmarkData, dataset, batch_size: int, device: str,
                      num_workers: Optional[int] = None) -> float:
    """Samples/s of a DataLoader with the config's workers (persistent): a first
    pass over the dataset starts the workers, the second pass is timed whole
    (so prefetching cannot hide work)."""
    from mmengine.runner import Runner
    loader_cfg = copy.deepcopy(dict(data.dataloader_cfg))
    loader_cfg.update(dataset=dataset, batch_size=batch_size, drop_last=False,
                      sampler=dict(type='KeyedSampler', shuffle=False))
    if num_workers is not None:
        loader_cfg['num_workers'] = num_workers
    loader_cfg.setdefault('num_workers', DEFAULT_DATALOADER['num_workers'])
    loader_cfg['persistent_workers'] = loader_cfg['num_workers'] > 0
    if device == 'cuda':
        loader_cfg.setdefault('pin_memory', True)
    loader = Runner.build_dataloader(loader_cfg)
    for _ in loader:  # start-up pass
        pass
    start, samples = time.perf_counter(), 0
    for batch in loader:
        samples += len(batch['data_samples'])
    seconds = time.perf_counter() - start
    del loader
    return samples / seconds


# ------------------------------------------------------------------ model
def build_model(model_cfg, device: str):
    model = MODELS.build(copy.deepcopy(model_cfg))
    model.init_weights()
    return model.to(device)


def has_trainable_parameters(model: torch.nn.Module) -> bool:
    return any(param.requires_grad for param in model.parameters())


class Variant:
    """One model with its batches, optimizer (when it trains) and timings."""

    def __init__(self, name, model, optim_cfg, train_batches, eval_batches, compile_step=False,
                 amp_dtype: Optional[torch.dtype] = None):
        self.name = name
        self.model = model
        self.amp_dtype = amp_dtype
        self.optim_wrapper = None
        self.train_step = None
        if train_batches:
            logger = MMLogger.get_current_instance()
            level = logger.level
            logger.setLevel('ERROR')  # "skipped since its requires_grad=False" per frozen tensor
            try:
                self.optim_wrapper = build_optim_wrapper(model, copy.deepcopy(optim_cfg))
            finally:
                logger.setLevel(level)
            self.train_step = torch.compile(model.train_step) if compile_step \
                else model.train_step
        self.train_batches = train_batches
        self.eval_batches = eval_batches
        self.times: Dict[str, List[float]] = {}
        self.step_memory_mb = 0.0

    def timed(self, key, fn, device, record):
        seconds, out = timed_call(fn, device)
        if record:
            self.times.setdefault(key, []).append(seconds)
        return out

    def median(self, key):
        return statistics.median(self.times[key])

    def autocast(self, device):
        """The variant's autocast context (none in fp32)."""
        if self.amp_dtype is None:
            return nullcontext()
        return torch.autocast(str(device).split(':')[0], dtype=self.amp_dtype)


def run_models(variants: List[Variant], args, floor_variant: Variant, floor_steps,
               eval_floor_steps=None) -> None:
    """Training and evaluation timings. The measurements of an iteration
    (train step of each variant, the floor's parts; then eval step of each
    variant, the evaluation floor's parts) are interleaved, in reverse order
    every other iteration (A B C, C B A, ...), so that a change of machine
    load during the run hits all of them alike."""
    device = args.device

    def train(variant, index, record):
        variant.model.train()
        with PeakMemory(device) as memory:
            variant.timed('train', lambda: variant.train_step(
                variant.train_batches[index], variant.optim_wrapper), device, record)
        if record:
            variant.step_memory_mb = max(variant.step_memory_mb, memory.increase_mb)

    def evaluate(variant, index, record):
        variant.model.eval()
        with torch.no_grad(), variant.autocast(device):
            variant.timed('eval', lambda: variant.model.val_step(
                variant.eval_batches[index]), device, record)

    def interleaved(measure, parts, key, iterations):
        """Each iteration: ``measure`` of every variant with the floor
        ``parts`` (timed as ``key:name``) after the first, ABBA order."""
        for index in range(iterations):
            record = index >= args.warmup
            steps = [lambda v=v: measure(v, index, record) for v in variants]
            steps[1:1] = [lambda name=name, step=step: step(index, lambda fn: floor_variant.timed(
                f'{key}:{name}', fn, device, record)) for name, step in (parts or {}).items()]
            for step in (steps if index % 2 == 0 else steps[::-1]):
                step()

    iterations = args.warmup + args.iters
    interleaved(train, floor_steps, 'floor', iterations if floor_variant.train_batches else 0)
    interleaved(evaluate, eval_floor_steps, 'eval_floor', iterations)


def figures_of(variant: Variant, batch_size: int, floor_names=(), eval_floor_names=()) -> dict:
    figures = dict(eval_samples_per_s=batch_size / variant.median('eval'))
    if 'train' in variant.times:
        figures.update(train_samples_per_s=batch_size / variant.median('train'),
                       peak_mem_mb=variant.step_memory_mb)
        note(f'{variant.name}: train step {variant.median("train"):.3f} s, '
             f'eval step {variant.median("eval"):.3f} s (medians)')
    else:
        note(f'{variant.name}: eval step {variant.median("eval"):.3f} s (median)')
    if floor_names and all(f'floor:{name}' in variant.times for name in floor_names):
        parts = {name: variant.median(f'floor:{name}') for name in floor_names}
        note(f'{variant.name}: floor = ' + ' + '.join(f'{name} {seconds:.3f} s'
                                                      for name, seconds in parts.items()))
        figures['floor_samples_per_s'] = batch_size / sum(parts.values())
    if eval_floor_names and all(f'eval_floor:{name}' in variant.times
                                for name in eval_floor_names):
        parts = {name: variant.median(f'eval_floor:{name}') for name in eval_floor_names}
        note(f'{variant.name}: eval floor = ' + ' + '.join(
            f'{name} {seconds:.3f} s' for name, seconds in parts.items()))
        figures['eval_floor_samples_per_s'] = batch_size / sum(parts.values())
    return figures


# ------------------------------------------------------------------- main
def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.device == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('benchmark: --device cuda but CUDA is not available')
    if args.iters < 1 or args.warmup < 0:
        raise SystemExit('benchmark: --iters must be >= 1 and --warmup >= 0')
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.batch_size is None:
        loader = cfg.get('train_dataloader') or cfg.get('test_dataloader') or {}
        args.batch_size = loader.get('batch_size', 8)
    work_dir = args.work_dir or tempfile.mkdtemp(prefix='sspl_benchmark_')
    os.makedirs(work_dir, exist_ok=True)
    # Quiet mmengine's INFO lines (weight init, parameter groups): figures only.
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel('WARNING')
    try:
        return run(cfg, args, work_dir)
    finally:
        logger.setLevel(level)
        if args.work_dir is None:
            shutil.rmtree(work_dir, ignore_errors=True)


def _loader_cfg(cfg, split: str, part: MethodBenchmark, synthetic_size: int):
    key = f'{split}_dataloader'
    loader_cfg = cfg.get(key) or (cfg.get('val_dataloader') if split == 'test' else None)
    if loader_cfg:
        return loader_cfg
    defaults = part.default_pipelines()
    if not defaults or not defaults.get(split):
        raise SystemExit(f'benchmark: {cfg.filename or "the config"} has no {key} and '
                         f'{type(part).__name__} gives no default {split} pipeline')
    note(f'{split}: the config has no {key}: the published pipeline')
    return ConfigDict(dict(DEFAULT_DATALOADER, dataset=dict(
        type='SyntheticAVDataset', image_size=synthetic_size, pipeline=defaults[split])))


def run(cfg, args, work_dir) -> dict:
    device, batch_size = args.device, args.batch_size
    precision = 'fp32'
    if args.amp:
        precision = f'AMP {str(amp_dtype_for(device)).replace("torch.", "")}'
    note(f'config {args.config}; device {device} ({torch.get_num_threads()} threads); '
         f'batch {batch_size}; {args.iters} iterations after {args.warmup} warm-up; '
         f'{precision}' + ('; torch.compile' if args.compile else ''))
    note(f'machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start; '
         f'OMP_WAIT_POLICY={os.environ.get("OMP_WAIT_POLICY", "default")}')
    if device == 'cpu':
        note(f'CPU bf16: {cpu_bf16_capability()}')
    else:
        note(f'GPU: {torch.cuda.get_device_name()}; bf16 '
             f'{"supported" if torch.cuda.is_bf16_supported() else "not supported (fp16 AMP)"}')

    # ---- the method's part and the model (random weights)
    model_cfg = without_pretrained_weights(cfg.model)
    part = method_benchmark_for(model_cfg)(model_cfg, work_dir, device)
    fast_cfg = part.fast_model_cfg(model_cfg)
    try:
        audio_mode = part.resolve_audio_mode(args.audio)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    baseline_cfg = part.baseline_model_cfg(model_cfg) if args.baseline else None
    if args.baseline and baseline_cfg is None:
        raise SystemExit(f'benchmark: --baseline: {model_cfg.get("type")} has no published-'
                         f'computation baseline ({type(part).__name__} defines none)')
    note('weights: random initialisation (throughput does not depend on their values)')
    model = build_model(fast_cfg, device)
    part.prepare(model)
    trains = has_trainable_parameters(model)
    if trains and not cfg.get('optim_wrapper'):
        raise SystemExit(f'benchmark: {cfg.filename or "the config"} has no optim_wrapper '
                         'for the training step')
    if not trains:
        note(f'training: skipped ({type(model).__name__} has no trainable parameters)')

    # ---- data
    num_batches = args.warmup + args.iters
    num_samples = args.data_samples
    loaders = {}
    for split in (('train', 'test') if trains else ('test',)):
        data = BenchmarkData(_loader_cfg(cfg, split, part, args.synthetic_size), split,
                             num_samples, work_dir, args.synthetic, args.synthetic_size)
        loaders[split] = data
        if data.synthetic:
            note(f'{split} data: synthetic clips ({data.reason}): '
                 f'{data.dataset_cfg["image_size"]} px PNG frames, WAV audio')
        else:
            note(f'{split} data: {data.dataset_cfg.get("type")} from disk')
    datasets = {}
    for split, data in loaders.items():
        datasets[split] = dict(fast=data.build(part.fast_pipeline(data.pipeline, audio_mode)))
        for name, pipeline in part.data_variants(data.pipeline).items():
            datasets[split][name] = data.build(pipeline)
        for dataset in datasets[split].values():
            warm(dataset)
    note(part.describe(audio_mode))
    baseline_data = part.baseline_data_variant or 'fast'

    # ---- data figures (one process = one worker; then the config's workers)
    data_split = 'train' if trains else 'test'
    data = loaders[data_split]
    data_figures = {}
    for name, dataset in ({} if args.skip_data else datasets[data_split]).items():
        key = 'data_samples_per_s' if name == 'fast' else f'data_{name}_samples_per_s'
        data_figures[key] = time_data_per_worker(data, dataset, batch_size, args.iters,
                                                 args.warmup)
    if not args.skip_data:
        data_figures['data_workers_samples_per_s'] = time_data_workers(
            data, datasets[data_split]['fast'], batch_size, device, args.num_workers)
        if args.baseline:
            data_figures['baseline_data_workers_samples_per_s'] = time_data_workers(
                data, datasets[data_split][baseline_data], batch_size, device,
                args.num_workers)
        workers = args.num_workers
        if workers is None:
            workers = data.dataloader_cfg.get('num_workers', DEFAULT_DATALOADER['num_workers'])
        note(f'data_workers_samples_per_s with {workers} workers ({data_split} pipeline)')

    # ---- models: fast (and baseline), iterations interleaved
    optim_cfg = cfg.get('optim_wrapper')
    fast_optim_cfg = part.fast_optim_wrapper_cfg(optim_cfg)
    if fast_optim_cfg != optim_cfg:
        changed = {key: value for key, value in (fast_optim_cfg.get('optimizer') or {}).items()
                   if (optim_cfg.get('optimizer') or {}).get(key, object()) != value}
        note(f'fast path optimizer: {fast_optim_cfg["optimizer"]["type"]} with '
             + ', '.join(f'{key}={value}' for key, value in changed.items())
             + ' (the baseline: the config\'s)')
    amp_dtype = amp_dtype_for(device) if args.amp else None
    amp_optim_cfg = amp_optim_wrapper_cfg(fast_optim_cfg, device) if args.amp and optim_cfg \
        else fast_optim_cfg
    test_data = loaders['test']

    def batches(split, name):
        if split not in loaders:
            return []
        return loaders[split].batches(datasets[split][name], batch_size, num_batches)

    fast = Variant('fast', model, amp_optim_cfg, batches('train', 'fast'),
                   test_data.batches(datasets['test']['fast'], batch_size, num_batches),
                   args.compile, amp_dtype)
    variants = [fast]
    if args.amp:
        # our path in fp32, same run: what AMP gains on this device
        variants.append(Variant('fp32', build_model(fast_cfg, device), fast_optim_cfg,
                                fast.train_batches, fast.eval_batches, args.compile))
    if baseline_cfg is not None:
        # the published computation, in fp32 as published
        variants.append(Variant('baseline', build_model(baseline_cfg, device), optim_cfg,
                                batches('train', baseline_data),
                                batches('test', baseline_data), args.compile))
    floor_steps = None
    if trains:
        floor_steps = part.floor_steps(model, fast.train_batches, fast.optim_wrapper,
                                       lambda: fast.autocast(device))
    eval_floor_steps = part.eval_floor_steps(model, fast.eval_batches,
                                             lambda: fast.autocast(device))
    run_models(variants, args, fast, floor_steps, eval_floor_steps)

    note(f'load average {os.getloadavg()[0]:.2f} at the end of the timings')
    floor_names = tuple(floor_steps or ())
    figures = figures_of(fast, batch_size, floor_names, tuple(eval_floor_steps or ()))
    if 'floor_samples_per_s' in figures:
        figures['train_efficiency'] = (figures['train_samples_per_s']
                                       / figures['floor_samples_per_s'])
    if 'eval_floor_samples_per_s' in figures:
        figures['eval_efficiency'] = (figures['eval_samples_per_s']
                                      / figures['eval_floor_samples_per_s'])
    figures.update({k: v for k, v in data_figures.items() if not k.startswith('baseline_')})
    order = ['train_samples_per_s', 'eval_samples_per_s', 'data_samples_per_s'] + [
        key for key in data_figures if key.startswith('data_') and key not in (
            'data_samples_per_s', 'data_workers_samples_per_s')] + [
        'data_workers_samples_per_s', 'peak_mem_mb', 'floor_samples_per_s', 'train_efficiency',
        'eval_floor_samples_per_s', 'eval_efficiency']
    for key in order:
        if key in figures:
            report(key, figures[key])
    if args.amp:
        reference = figures_of(variants[1], batch_size)
        for key in ('train_samples_per_s', 'eval_samples_per_s', 'peak_mem_mb'):
            if key in reference:
                figures[f'fp32_{key}'] = reference[key]
                report(f'fp32_{key}', reference[key])
        for key in ('train', 'eval'):
            if f'{key}_samples_per_s' in reference:
                figures[f'amp_{key}_speedup'] = (figures[f'{key}_samples_per_s']
                                                 / reference[f'{key}_samples_per_s'])
                report(f'amp_{key}_speedup', figures[f'amp_{key}_speedup'])
    if baseline_cfg is None:
        return figures
    base = figures_of(variants[-1], batch_size)
    base_data_key = 'data_samples_per_s' if baseline_data == 'fast' \
        else f'data_{baseline_data}_samples_per_s'
    if not args.skip_data:
        base['data_samples_per_s'] = data_figures[base_data_key]
        base['data_workers_samples_per_s'] = data_figures['baseline_data_workers_samples_per_s']
    if 'floor_samples_per_s' in figures and 'train_samples_per_s' in base:
        base['train_efficiency'] = base['train_samples_per_s'] / figures['floor_samples_per_s']
    if 'eval_floor_samples_per_s' in figures:
        base['eval_efficiency'] = (base['eval_samples_per_s']
                                   / figures['eval_floor_samples_per_s'])
    for key in ('train_samples_per_s', 'eval_samples_per_s', 'data_samples_per_s',
                'data_workers_samples_per_s', 'peak_mem_mb', 'train_efficiency',
                'eval_efficiency'):
        if key in base:
            report(f'baseline_{key}', base[key])
            figures[f'baseline_{key}'] = base[key]
    for key in ('train', 'eval', 'data', 'data_workers'):
        if f'{key}_samples_per_s' in base:
            figures[f'{key}_speedup'] = (figures[f'{key}_samples_per_s']
                                         / base[f'{key}_samples_per_s'])
            report(f'{key}_speedup', figures[f'{key}_speedup'])
    return figures
