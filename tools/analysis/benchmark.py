#!/usr/bin/env python
"""Throughput of a config: training step, evaluation, data pipeline, and the
floor of the training step.

    python tools/analysis/benchmark.py CONFIG [--batch-size B] [--iters N]
        [--device cpu|cuda] [--amp] [--baseline] [--synthetic] [--audio MODE]

Builds the model and the data pipelines from the config and prints, one per
line (``key: value``; lines starting with ``#`` are notes):

- ``train_samples_per_s``: ``train_step`` (data preprocessor, forward,
  backward, optimizer step) on pre-loaded batches;
- ``eval_samples_per_s``: ``val_step`` (one test view, no loss);
- ``data_samples_per_s``: the training data pipeline of the fast path (cached
  VGGish embeddings unless ``--audio`` says otherwise) and its collate in one
  process with one thread, i.e. per data worker; ``data_logmel_samples_per_s``:
  the same with the log-mel examples computed in the worker;
  ``data_workers_samples_per_s``: a DataLoader with the config's
  ``num_workers`` (or ``--num-workers``), a whole pass after a start-up pass;
- ``peak_mem_mb``: working memory of a training step: the peak minus the level
  before the step of GPU memory allocated (CUDA) or of the process's resident
  memory (CPU, Linux's peak-RSS counter reset before the step);
- ``floor_samples_per_s``: ``B / (t_backbone + t_trainable)``, the frozen visual
  backbone forward on both views plus the trainable parts (audio head, PCM,
  similarity, pooling, SimSiam head and loss) forward + backward, each timed
  alone in this run; ``train_efficiency``: train over floor.

Each figure is the median over ``--iters`` iterations after ``--warmup``.
``--baseline`` also runs the faithful slow path in the same process (audio
branch per sample, log-mel computed per sample in the data pipeline, no
caching, both views and the loss at evaluation, no channels-last) and prints
the same lines prefixed ``baseline_``, plus the ratios ``*_speedup``; the
iterations of the two are interleaved, so a change of machine load hits both.
See docs/benchmark.md.

Weights are random (throughput does not depend on their values). When the
config's dataset is not on disk (or with ``--synthetic``), synthetic clips of
the config's shapes (``SyntheticAVDataset``: PNG frames, WAV audio, written to
a temporary folder) go through the config's pipelines, so the tool runs on a
fresh checkout.
"""
import argparse
import copy
import os
import os.path as osp
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext

import torch
import torch.nn as nn
from mmengine.config import Config, ConfigDict, DictAction
from mmengine.dataset import default_collate, pseudo_collate
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper

from sspl.apis.inference import DEFAULT_TEST_PIPELINE
from sspl.datasets.transforms.embedding_cache import fill_embedding_cache
from sspl.engine.optimizers import amp_dtype_for, amp_optim_wrapper_cfg
from sspl.registry import DATASETS, MODELS, TRANSFORMS
from sspl.utils import register_all_modules

# The published pre-processing, used when the config has no dataloaders
# (model-only configs): the training pipeline of the benchmark configs and the
# published test view.
PUBLISHED_PIPELINES = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', 'configs',
                                           '_base_', 'datasets', 'published_common.py'))
DEFAULT_DATALOADER = dict(num_workers=2, persistent_workers=True,
                          sampler=dict(type='DefaultSampler', shuffle=False),
                          collate_fn=dict(type='default_collate'))
AUDIO_TRANSFORMS = ('LoadAudio', 'VGGishLogMel', 'LoadCachedLogMel', 'LoadVGGishEmbedding')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Throughput of training, evaluation and data')
    parser.add_argument('config')
    parser.add_argument('--batch-size', type=int, help='default: the config\'s train batch size')
    parser.add_argument('--iters', type=int, default=5, help='timed iterations per figure')
    parser.add_argument('--warmup', type=int, default=1, help='untimed iterations first')
    parser.add_argument('--device', choices=['cpu', 'cuda'],
                        default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--amp', action='store_true',
                        help='mixed precision: bf16 autocast where supported, else fp16')
    parser.add_argument('--baseline', action='store_true',
                        help='also measure the faithful slow path, in the same process')
    parser.add_argument('--synthetic', action='store_true',
                        help='synthetic clips even if the config\'s dataset is on disk')
    parser.add_argument('--data-samples', type=int, default=64,
                        help='clips per split (at least the batches the timings need)')
    parser.add_argument('--synthetic-size', type=int, default=256,
                        help='side of the synthetic frames (256: the published h5 packs)')
    parser.add_argument('--audio', choices=['auto', 'cache', 'logmel', 'waveform'],
                        default='auto',
                        help='audio input of the fast path: cached VGGish embeddings, '
                        'log-mel in the data pipeline, or waveform (log-mel on the device); '
                        'auto: cache when VGGish is frozen')
    parser.add_argument('--num-workers', type=int,
                        help='data workers of the multi-worker data figure '
                        '(default: the config\'s num_workers)')
    parser.add_argument('--threads', type=int,
                        help='torch intra-op threads of the main process (default: torch\'s, '
                        'one per core); data workers always use one')
    parser.add_argument('--compile', action='store_true',
                        help='torch.compile the train step (as cfg.compile does)')
    parser.add_argument('--work-dir', help='folder for synthetic data and the cache '
                        '(default: a temporary folder, removed at exit)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config')
    return parser.parse_args(argv)


def report(key: str, value: float) -> None:
    print(f'{key}: {value:.3f}', flush=True)


def note(text: str) -> None:
    print(f'# {text}', flush=True)


# ----------------------------------------------------------------- timing
def _sync(device: str) -> None:
    if device == 'cuda':
        torch.cuda.synchronize()


def median_time(fn, iters: int, warmup: int, device: str) -> float:
    """Median seconds of ``fn(i)`` over ``iters`` calls after ``warmup``."""
    times = []
    for index in range(warmup + iters):
        _sync(device)
        start = time.perf_counter()
        fn(index)
        _sync(device)
        if index >= warmup:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


class PeakMemory:
    """Memory over a ``with`` block, in MB: the peak of GPU memory allocated
    (CUDA) or of the process's resident memory (CPU: Linux's ``VmHWM`` after
    resetting it through ``/proc/self/clear_refs``, so nothing runs beside the
    timed code; elsewhere the process's lifetime peak), and ``increase_mb``,
    that peak minus the level at entry (the block's working memory:
    activations, gradients, temporaries)."""

    def __init__(self, device: str):
        self.device = device
        self.peak_mb = self.start_mb = 0.0

    @property
    def increase_mb(self) -> float:
        return self.peak_mb - self.start_mb

    @staticmethod
    def _proc_status_mb(field: str) -> float:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1]) / 1024  # kB
        raise KeyError(field)

    def __enter__(self):
        if self.device == 'cuda':
            torch.cuda.reset_peak_memory_stats()
            self.start_mb = torch.cuda.memory_allocated() / 2 ** 20
            return self
        try:
            with open('/proc/self/clear_refs', 'w') as f:
                f.write('5')  # reset the peak resident set size (VmHWM)
            self.start_mb = self._proc_status_mb('VmRSS')
            self._linux = True
        except (OSError, KeyError):
            self._linux = False
            self.start_mb = self._lifetime_peak_mb()
        return self

    @staticmethod
    def _lifetime_peak_mb() -> float:
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB (bytes on macOS)
        return peak / 2 ** 20 if sys.platform == 'darwin' else peak / 1024

    def __exit__(self, *exc):
        if self.device == 'cuda':
            self.peak_mb = torch.cuda.max_memory_allocated() / 2 ** 20
        elif self._linux:
            self.peak_mb = self._proc_status_mb('VmHWM')
        else:
            self.peak_mb = self._lifetime_peak_mb()
        return False


@contextmanager
def torch_threads(num_threads: int):
    previous = torch.get_num_threads()
    torch.set_num_threads(num_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


# ------------------------------------------------------------------- data
def audio_params(pipeline) -> dict:
    """``sample_rate``, ``duration``, ``normalize`` of the pipeline's audio loading."""
    params = dict(sample_rate=16000, duration=3.0, normalize=True)
    for transform in pipeline:
        if transform.get('type') in AUDIO_TRANSFORMS:
            params.update({k: transform[k] for k in params if k in transform})
    return params


def with_audio(pipeline, mode: str, cache_cfg: dict = None) -> list:
    """The pipeline with its audio transforms replaced by ``mode``'s:
    ``'logmel'`` (LoadAudio + VGGishLogMel), ``'waveform'`` (LoadAudio; log-mel
    on the device), ``'cache'`` (LoadVGGishEmbedding with ``cache_cfg``)."""
    pipeline = [dict(t) for t in pipeline]
    positions = [i for i, t in enumerate(pipeline) if t.get('type') in AUDIO_TRANSFORMS]
    if not positions:
        raise ValueError('benchmark: the pipeline has no audio transform '
                         f'({", ".join(AUDIO_TRANSFORMS)})')
    params = audio_params(pipeline)
    load = dict(type='LoadAudio', **params)
    audio = {'logmel': [load, dict(type='VGGishLogMel')],
             'waveform': [load],
             'cache': [dict(type='LoadVGGishEmbedding', **params, **(cache_cfg or {}))]}[mode]
    return pipeline[:positions[0]] + audio + pipeline[positions[-1] + 1:]


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
    synthetic clips of the config's shapes, with any audio mode."""

    def __init__(self, dataloader_cfg, split: str, num_samples: int, work_dir: str,
                 force_synthetic: bool, synthetic_size: int):
        self.dataloader_cfg = dataloader_cfg
        dataset_cfg = dict(dataloader_cfg['dataset'])
        self.pipeline = list(dataset_cfg.pop('pipeline'))
        on_disk, reason = _dataset_on_disk(dataset_cfg)
        if force_synthetic:
            on_disk, reason = False, '--synthetic'
        self.synthetic = not on_disk
        self.reason = reason
        if on_disk:
            dataset_cfg['indices'] = num_samples
        else:
            image_size = (dataset_cfg.get('image_size', synthetic_size)
                          if dataset_cfg.get('type') == 'SyntheticAVDataset' else synthetic_size)
            views = dataset_cfg.get('views', 'one_frame') \
                if dataset_cfg.get('type') == 'SyntheticAVDataset' else 'one_frame'
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
        return [self.collate([dataset[i * batch_size + j] for j in range(batch_size)])
                for i in range(count)]


def time_data_per_worker(data: BenchmarkData, dataset, batch_size: int, iters: int,
                         warmup: int) -> float:
    """Samples/s of the pipeline and the collate function in this process
    with one torch thread (as a data worker runs them): median batch time
    over ``iters`` batches."""
    with torch_threads(1):
        seconds = median_time(
            lambda i: data.collate([dataset[i * batch_size + j] for j in range(batch_size)]),
            iters, warmup, 'cpu')
    return batch_size / seconds


def time_data_workers(data: BenchmarkData, dataset, batch_size: int, device: str,
                      num_workers: int = None) -> float:
    """Samples/s of a DataLoader with the config's workers (persistent): a first
    pass over the dataset starts the workers, the second pass is timed whole
    (so prefetching cannot hide work)."""
    from mmengine.runner import Runner
    loader_cfg = copy.deepcopy(dict(data.dataloader_cfg))
    loader_cfg.update(dataset=dataset, batch_size=batch_size, drop_last=False,
                      sampler=dict(type='DefaultSampler', shuffle=False))
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
class _FixedMaps(nn.Module):
    """Stands in for the visual backbone while the trainable parts are timed:
    returns the precomputed maps of the current batch."""

    def __init__(self):
        super().__init__()
        self.maps = None

    def forward(self, frames):
        return self.maps


def build_model(model_cfg, device: str):
    model = MODELS.build(copy.deepcopy(model_cfg))
    model.init_weights()
    return model.to(device)


def baseline_model_cfg(model_cfg):
    """The faithful slow path: audio per sample, both views and the loss at
    evaluation, no channels-last."""
    cfg = copy.deepcopy(model_cfg)
    cfg.update(audio_batching='per_sample', eval_both_views=True)
    for part in ('visual_backbone', 'audio_backbone'):
        if 'channels_last' in cfg[part]:
            cfg[part]['channels_last'] = False
    return cfg


class Variant:
    """One model with its batches, optimizer and timings."""

    def __init__(self, name, model, optim_cfg, train_batches, eval_batches, args):
        self.name = name
        self.model = model
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel('ERROR')  # one "skipped since its requires_grad=False" per frozen tensor
        try:
            self.optim_wrapper = build_optim_wrapper(model, copy.deepcopy(optim_cfg))
        finally:
            logger.setLevel(level)
        self.train_batches = train_batches
        self.eval_batches = eval_batches
        self.train_step = torch.compile(model.train_step) if args.compile else model.train_step
        self.times = {}
        self.step_memory_mb = 0.0

    def timed(self, key, fn, device, record):
        _sync(device)
        start = time.perf_counter()
        out = fn()
        _sync(device)
        if record:
            self.times.setdefault(key, []).append(time.perf_counter() - start)
        return out

    def median(self, key):
        return statistics.median(self.times[key])


def prepare_floor(variant: Variant, autocast):
    """Inputs of the floor measurement: preprocessed batches with VGGish
    embeddings, and the backbone maps of both views (computed once)."""
    model = variant.model
    model.train()
    inputs = [model.data_preprocessor(batch, True) for batch in variant.train_batches]
    flat_frames, maps = [], []
    with torch.no_grad(), autocast():
        for data in inputs:
            frames = data['inputs']['frames'].transpose(0, 1).flatten(0, 1)
            flat_frames.append(frames)
            maps.append(model.visual_backbone(frames))
            audio = data['inputs']
            if 'audio_embedding' not in audio:  # the trainable parts start from embeddings
                log_mel = audio.pop('log_mel')
                audio['audio_embedding'] = model.audio_backbone(
                    log_mel.flatten(0, 1)).view(*log_mel.shape[:2], -1).float()
    return inputs, flat_frames, maps


def run_models(variants, args, floor_variant):
    """Training and evaluation timings. The measurements of an iteration
    (train step of each variant, the two floor parts) are interleaved, in
    reverse order every other iteration (A B C, C B A, ...), so that a change
    of machine load during the run hits all of them alike."""
    device = args.device
    amp_dtype = amp_dtype_for(device) if args.amp else None
    autocast = (lambda: torch.autocast(device, dtype=amp_dtype)) if amp_dtype else nullcontext
    floor_inputs, flat_frames, maps = prepare_floor(floor_variant, autocast)
    fixed = _FixedMaps()
    model = floor_variant.model
    optim_wrapper = floor_variant.optim_wrapper

    def train(variant, index, record):
        variant.model.train()
        with PeakMemory(device) as memory:
            variant.timed('train', lambda: variant.train_step(
                variant.train_batches[index], variant.optim_wrapper), device, record)
        if record:
            variant.step_memory_mb = max(variant.step_memory_mb, memory.increase_mb)

    def floor_backbone(index, record):
        """The frozen backbone on both views, alone."""
        model.train()
        with torch.no_grad(), autocast():
            floor_variant.timed('backbone', lambda: model.visual_backbone(flat_frames[index]),
                                device, record)

    def floor_trainable(index, record):
        """The trainable parts forward + backward from the backbone's maps, alone."""
        model.train()
        backbone, fixed.maps = model.visual_backbone, maps[index]
        model.visual_backbone = fixed
        optim_wrapper.zero_grad()
        try:
            def trainable():
                data = floor_inputs[index]
                with optim_wrapper.optim_context(model):
                    loss = model.loss(data['inputs'], data['data_samples'])['loss']
                optim_wrapper.backward(loss)

            floor_variant.timed('trainable', trainable, device, record)
        finally:
            model.visual_backbone = backbone
            optim_wrapper.zero_grad()

    for index in range(args.warmup + args.iters):
        record = index >= args.warmup
        steps = [lambda v=v: train(v, index, record) for v in variants]
        steps[1:1] = [lambda: floor_backbone(index, record),
                      lambda: floor_trainable(index, record)]
        for step in (steps if index % 2 == 0 else steps[::-1]):
            step()
    for index in range(args.warmup + args.iters):
        order = variants if index % 2 == 0 else variants[::-1]
        for variant in order:
            variant.model.eval()
            with torch.no_grad(), autocast():
                variant.timed('eval', lambda: variant.model.val_step(
                    variant.eval_batches[index]), device, index >= args.warmup)


def figures_of(variant: Variant, batch_size: int) -> dict:
    figures = dict(train_samples_per_s=batch_size / variant.median('train'),
                   eval_samples_per_s=batch_size / variant.median('eval'),
                   peak_mem_mb=variant.step_memory_mb)
    note(f'{variant.name}: train step {variant.median("train"):.3f} s, '
         f'eval step {variant.median("eval"):.3f} s (medians)')
    if 'backbone' in variant.times:
        backbone, trainable = variant.median('backbone'), variant.median('trainable')
        note(f'{variant.name}: floor = visual backbone {backbone:.3f} s '
             f'+ trainable parts {trainable:.3f} s')
        figures['floor_samples_per_s'] = batch_size / (backbone + trainable)
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
        args.batch_size = (cfg.get('train_dataloader') or {}).get('batch_size', 8)
    work_dir = args.work_dir or tempfile.mkdtemp(prefix='sspl_benchmark_')
    os.makedirs(work_dir, exist_ok=True)
    # Quiet mmengine's INFO lines (weight init, parameter groups): figures only.
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel('WARNING')
    try:
        run(cfg, args, work_dir)
    finally:
        logger.setLevel(level)
        if args.work_dir is None:
            shutil.rmtree(work_dir, ignore_errors=True)


def run(cfg, args, work_dir):
    device, batch_size = args.device, args.batch_size
    precision = 'fp32'
    if args.amp:
        precision = f'AMP {str(amp_dtype_for(device)).replace("torch.", "")}'
    note(f'config {args.config}; device {device} ({torch.get_num_threads()} threads); '
         f'batch {batch_size}; {args.iters} iterations after {args.warmup} warm-up; '
         f'{precision}' + ('; torch.compile' if args.compile else ''))
    note(f'machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start; '
         f'OMP_WAIT_POLICY={os.environ.get("OMP_WAIT_POLICY", "default")}')

    # ---- model config: random weights (the benchmark's VGGish file feeds the cache)
    model_cfg = copy.deepcopy(cfg.model)
    for part in ('visual_backbone', 'audio_backbone'):
        model_cfg[part]['pretrained'] = None
    vggish_frozen = model_cfg['audio_backbone'].get('frozen', True)
    audio_mode = args.audio
    if audio_mode == 'auto':
        audio_mode = 'cache' if vggish_frozen else 'logmel'
    if audio_mode == 'cache' and not vggish_frozen:
        raise SystemExit('benchmark: --audio cache needs a frozen VGGish')
    note('weights: random initialisation (throughput does not depend on their values)')
    model = build_model(model_cfg, device)
    vggish_file = osp.join(work_dir, 'vggish.pth')
    torch.save(model.audio_backbone.state_dict(), vggish_file)
    vggish_cfg = dict(copy.deepcopy(model_cfg['audio_backbone']), pretrained=vggish_file)

    # ---- data
    num_batches = args.warmup + args.iters
    num_samples = max(num_batches * batch_size, args.data_samples)
    loaders = {}
    published = Config.fromfile(PUBLISHED_PIPELINES)
    for split, key, fallback in (('train', 'train_dataloader', published.train_pipeline),
                                 ('test', 'test_dataloader', DEFAULT_TEST_PIPELINE)):
        loader_cfg = cfg.get(key) or (cfg.get('val_dataloader') if split == 'test' else None)
        if not loader_cfg:
            note(f'{split}: the config has no {key}: the published pipeline')
            loader_cfg = ConfigDict(dict(DEFAULT_DATALOADER, dataset=dict(
                type='SyntheticAVDataset', image_size=args.synthetic_size,
                pipeline=fallback)))
        data = BenchmarkData(loader_cfg, split, num_samples, work_dir, args.synthetic,
                             args.synthetic_size)
        loaders[split] = data
        if data.synthetic:
            note(f'{split} data: synthetic clips ({data.reason}): '
                 f'{data.dataset_cfg["image_size"]} px PNG frames, WAV audio')
        else:
            note(f'{split} data: {data.dataset_cfg.get("type")} from disk')
    cache_cfg = dict(cache_dir=osp.join(work_dir, 'vggish_embeddings'), backbone=vggish_cfg,
                     on_miss='error')
    datasets = {}
    for split, data in loaders.items():
        if audio_mode == 'cache':  # filled ahead, as tools/data/cache_vggish_embeddings.py does
            pipeline = with_audio(data.pipeline, 'cache', cache_cfg)
            index = next(i for i, t in enumerate(pipeline)
                         if t['type'] == 'LoadVGGishEmbedding')
            prefix = [t for t in pipeline[:index] if t['type'] != 'LoadFrame']
            cache = TRANSFORMS.build(pipeline[index]).cache
            fill_embedding_cache(data.build(prefix), cache, device=device,
                                 batch_size=max(batch_size, 16))
        datasets[split] = {mode: data.build(with_audio(data.pipeline, mode, cache_cfg))
                           for mode in {audio_mode, 'logmel'}}
    note(f'fast path: audio input {audio_mode}; '
         f'audio_batching={model_cfg.get("audio_batching", "batched")}; '
         f'VGG16 channels_last={model_cfg["visual_backbone"].get("channels_last", False)}; '
         f'eval_both_views={model_cfg.get("eval_both_views", False)}')

    # ---- data figures (one process = one worker; then the config's workers)
    train_data = loaders['train']
    data_figures = dict(
        data_samples_per_s=time_data_per_worker(train_data, datasets['train'][audio_mode],
                                                batch_size, args.iters, args.warmup),
        data_logmel_samples_per_s=time_data_per_worker(train_data, datasets['train']['logmel'],
                                                       batch_size, args.iters, args.warmup),
        data_workers_samples_per_s=time_data_workers(train_data, datasets['train'][audio_mode],
                                                     batch_size, device, args.num_workers))
    if args.baseline:
        data_figures['baseline_data_workers_samples_per_s'] = time_data_workers(
            train_data, datasets['train']['logmel'], batch_size, device, args.num_workers)
    workers = args.num_workers
    if workers is None:
        workers = train_data.dataloader_cfg.get('num_workers', DEFAULT_DATALOADER['num_workers'])
    note(f'data_workers_samples_per_s with {workers} workers')

    # ---- models: fast (and baseline), iterations interleaved
    optim_cfg = cfg.optim_wrapper
    if args.amp:
        optim_cfg = amp_optim_wrapper_cfg(optim_cfg, device)
    test_data = loaders['test']
    fast = Variant('fast', model, optim_cfg,
                   train_data.batches(datasets['train'][audio_mode], batch_size, num_batches),
                   test_data.batches(datasets['test'][audio_mode], batch_size, num_batches),
                   args)
    variants = [fast]
    if args.baseline:
        variants.append(Variant(
            'baseline', build_model(baseline_model_cfg(model_cfg), device), optim_cfg,
            train_data.batches(datasets['train']['logmel'], batch_size, num_batches),
            test_data.batches(datasets['test']['logmel'], batch_size, num_batches), args))
    run_models(variants, args, floor_variant=fast)

    note(f'load average {os.getloadavg()[0]:.2f} at the end of the timings')
    figures = figures_of(fast, batch_size)
    figures['train_efficiency'] = figures['train_samples_per_s'] / figures['floor_samples_per_s']
    figures.update({k: v for k, v in data_figures.items() if not k.startswith('baseline_')})
    for key in ('train_samples_per_s', 'eval_samples_per_s', 'data_samples_per_s',
                'data_logmel_samples_per_s', 'data_workers_samples_per_s', 'peak_mem_mb',
                'floor_samples_per_s', 'train_efficiency'):
        report(key, figures[key])
    if not args.baseline:
        return
    base = figures_of(variants[1], batch_size)
    base['data_samples_per_s'] = data_figures['data_logmel_samples_per_s']
    base['data_workers_samples_per_s'] = data_figures['baseline_data_workers_samples_per_s']
    base['train_efficiency'] = base['train_samples_per_s'] / figures['floor_samples_per_s']
    for key in ('train_samples_per_s', 'eval_samples_per_s', 'data_samples_per_s',
                'data_workers_samples_per_s', 'peak_mem_mb', 'train_efficiency'):
        report(f'baseline_{key}', base[key])
    for key in ('train', 'eval', 'data', 'data_workers'):
        report(f'{key}_speedup', figures[f'{key}_samples_per_s'] / base[f'{key}_samples_per_s'])


if __name__ == '__main__':
    main()
