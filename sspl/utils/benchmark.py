"""What the benchmark (:mod:`sspl.apis.benchmark`) and the methods' parts of it
share: timing, peak memory, and :class:`MethodBenchmark`, the base of a
method's part (its floor, its published-computation baseline, its audio
inputs), registered in ``sspl.registry.METHOD_BENCHMARKS`` under the model
type it serves."""
import os
import statistics
import sys
import time
from contextlib import contextmanager
from typing import Any, Callable, Dict, List, Optional, Sequence

import torch


# ------------------------------------------------------------------ timing
def sync(device: str) -> None:
    """Wait for the device's queued work (CUDA), so a timing is the work's."""
    if str(device).startswith('cuda'):
        torch.cuda.synchronize()


def timed_call(fn: Callable[[], Any], device: str) -> tuple:
    """``(seconds, result)`` of ``fn()``, the device synchronised around it."""
    sync(device)
    start = time.perf_counter()
    out = fn()
    sync(device)
    return time.perf_counter() - start, out


def median_time(fn: Callable[[int], Any], iters: int, warmup: int, device: str) -> float:
    """Median seconds of ``fn(i)`` over ``iters`` calls after ``warmup``."""
    times = []
    for index in range(warmup + iters):
        seconds, _ = timed_call(lambda: fn(index), device)
        if index >= warmup:
            times.append(seconds)
    return statistics.median(times)


class PeakMemory:
    """Memory over a ``with`` block, in MB: the peak of GPU memory allocated
    (CUDA) or of the process's resident memory (CPU: Linux's ``VmHWM`` after
    resetting it through ``/proc/self/clear_refs``, so nothing runs beside the
    timed code; elsewhere the process's lifetime peak), and ``increase_mb``,
    that peak minus the level at entry (the block's working memory:
    activations, gradients, temporaries)."""

    def __init__(self, device: str):
        self.device = str(device)
        self.peak_mb = self.start_mb = 0.0
        self._linux = False

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
        if self.device.startswith('cuda'):
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
        if self.device.startswith('cuda'):
            self.peak_mb = torch.cuda.max_memory_allocated() / 2 ** 20
        elif self._linux:
            self.peak_mb = self._proc_status_mb('VmHWM')
        else:
            self.peak_mb = self._lifetime_peak_mb()
        return False


@contextmanager
def torch_threads(num_threads: int):
    """Run the block with ``num_threads`` torch intra-op threads."""
    previous = torch.get_num_threads()
    torch.set_num_threads(num_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def cpu_flags() -> set:
    """The CPU's feature flags (``/proc/cpuinfo``: ``flags`` on x86,
    ``Features`` on Arm), empty where unreadable."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                key, _, value = line.partition(':')
                if key.strip() in ('flags', 'Features'):
                    return set(value.split())
    except OSError:
        pass
    return set()


def cpu_bf16_capability() -> str:
    """What the CPU has for bfloat16 matrix work, e.g. ``'AMX (amx_bf16,
    avx512_bf16); torch CPU capability AVX512'``: Intel AMX tiles (Sapphire
    Rapids and later), AVX512-BF16 dot products (Cooper Lake, Zen 4 and
    later), Arm BF16, or ``none`` (bf16 is then emulated in fp32 arithmetic
    with conversions: slower than fp32, see docs/benchmark.md)."""
    flags = cpu_flags()
    if 'amx_bf16' in flags:
        units = 'AMX (' + ', '.join(f for f in ('amx_bf16', 'avx512_bf16') if f in flags) + ')'
    elif 'avx512_bf16' in flags:
        units = 'AVX512-BF16 (avx512_bf16)'
    elif 'bf16' in flags:
        units = 'Arm BF16 (bf16)'
    else:
        units = 'none' if flags else 'unknown (no /proc/cpuinfo)'
    try:
        capability = torch.backends.cpu.get_cpu_capability()
    except AttributeError:  # torch < 2.1
        capability = 'unknown'
    limit = os.environ.get('ONEDNN_MAX_CPU_ISA') or os.environ.get('DNNL_MAX_CPU_ISA')
    return f'{units}; torch CPU capability {capability}' + (
        f'; oneDNN limited to {limit} (ONEDNN_MAX_CPU_ISA)' if limit else '')


# ------------------------------------------------------ a method's part
#: ``step(index, timed)``: one floor part on training batch ``index``; it
#: calls ``timed(fn)`` on exactly the work to time (set-up around it is not
#: counted).
FloorStep = Callable[[int, Callable[[Callable[[], Any]], Any]], None]


class FixedOutput(torch.nn.Module):
    """Stands in for a network while the rest of the model is timed: returns
    ``output``, the network's output on the current batch, set beforehand."""

    def __init__(self):
        super().__init__()
        self.output = None

    def forward(self, *args, **kwargs):
        return self.output


def predict_floor_steps(model: torch.nn.Module, eval_batches: list, autocast: Callable,
                        encoders: Dict[str, tuple]) -> Dict[str, FloorStep]:
    """The floor of an evaluation step of a localizer: each encoder's forward
    alone, then ``rest of the model``, the model's ``predict`` from the
    encoders' outputs (the encoders replaced by :class:`FixedOutput`), all
    in eval mode under ``no_grad`` (and ``autocast``). The data
    preprocessor runs once here, outside the timings.

    Args:
        model: the localizer (in the benchmark: the fast path's).
        eval_batches: collated evaluation batches.
        autocast: () -> the autocast context of the timed variant.
        encoders: part name -> ``(attribute, inputs -> encoder input)``:
            the module attribute ``predict`` calls and the function giving its
            input from the preprocessed ``inputs`` dict.
    """
    model.eval()
    prepared, outputs = [], {name: [] for name in encoders}
    with torch.no_grad(), autocast():
        for batch in eval_batches:
            data = model.data_preprocessor(batch, False)
            prepared.append(data)
            for name, (attribute, input_of) in encoders.items():
                outputs[name].append(getattr(model, attribute)(input_of(data['inputs'])))

    def encoder(name):
        attribute, input_of = encoders[name]

        def step(index, timed):
            model.eval()
            module, encoder_input = getattr(model, attribute), input_of(prepared[index]['inputs'])
            with torch.no_grad(), autocast():
                timed(lambda: module(encoder_input))
        return step

    fixed = {name: FixedOutput() for name in encoders}

    def rest(index, timed):
        model.eval()
        originals = {attribute: getattr(model, attribute) for attribute, _ in encoders.values()}
        try:
            for name, (attribute, _) in encoders.items():
                fixed[name].output = outputs[name][index]
                setattr(model, attribute, fixed[name])
            data = prepared[index]
            with torch.no_grad(), autocast():
                timed(lambda: model.predict(data['inputs'], data['data_samples']))
        finally:
            for attribute, module in originals.items():
                setattr(model, attribute, module)

    steps = {name: encoder(name) for name in encoders}
    steps['rest of the model'] = rest
    return steps


class MethodBenchmark:
    """A method's part of the benchmark; this base is what any localizer gets:
    the config's pipelines as they are, no floor, no baseline.

    A method registers a subclass in ``sspl.registry.METHOD_BENCHMARKS`` under
    its model type (``@METHOD_BENCHMARKS.register_module(name='MyMethod')``);
    the benchmark looks it up along the model class's bases, so the generic
    core never names a method.

    Args:
        model_cfg: the model config the benchmark builds (pretrained weights
            already removed).
        work_dir: a folder for files the part needs (weights, caches).
        device: ``'cpu'`` or ``'cuda'``.
    """

    #: audio inputs the fast path can take (``--audio``); the first is the
    #: default (``'auto'``). ``'config'``: the config's pipelines unchanged.
    audio_modes: Sequence[str] = ('config',)
    #: name of the :meth:`data_variants` pipeline the baseline reads (None:
    #: the fast path's)
    baseline_data_variant: Optional[str] = None

    def __init__(self, model_cfg: dict, work_dir: str, device: str):
        self.model_cfg = model_cfg
        self.work_dir = work_dir
        self.device = device

    def resolve_audio_mode(self, mode: str) -> str:
        """``mode`` as given to ``--audio`` (``'auto'``: the default) -> one
        of :attr:`audio_modes`; :class:`ValueError` otherwise."""
        if mode == 'auto':
            return self.audio_modes[0]
        if mode not in self.audio_modes:
            raise ValueError(f'benchmark: --audio {mode} is not an audio input of '
                             f"{self.model_cfg.get('type')} (it takes "
                             f"{', '.join(('auto',) + tuple(self.audio_modes))})")
        return mode

    def fast_model_cfg(self, model_cfg: dict) -> dict:
        """The model config of the fast path (default: the config's model;
        a part may turn on exact fast paths the config leaves unset)."""
        return model_cfg

    def fast_optim_wrapper_cfg(self, optim_wrapper_cfg: Optional[dict]) -> Optional[dict]:
        """The optimizer wrapper config of the fast path (default: the
        config's; the baseline always gets the config's)."""
        return optim_wrapper_cfg

    def prepare(self, model: torch.nn.Module) -> None:
        """Called once the fast model is built, before any pipeline is."""

    def fast_pipeline(self, pipeline: List[dict], mode: str) -> List[dict]:
        """The pipeline config of the fast path for audio input ``mode``."""
        return list(pipeline)

    def data_variants(self, pipeline: List[dict]) -> Dict[str, List[dict]]:
        """Other pipelines whose per-worker throughput is reported as
        ``data_<name>_samples_per_s`` (e.g. the audio features computed in
        the worker instead of read from a cache)."""
        return {}

    def default_pipelines(self) -> Optional[Dict[str, List[dict]]]:
        """``{'train': [...], 'test': [...]}`` for a config without
        dataloaders (a model-only config), or None (such a config is an
        error)."""
        return None

    def baseline_model_cfg(self, model_cfg: dict) -> Optional[dict]:
        """The model config of the method's published computation (the
        ``--baseline`` variant), or None when the method defines none."""
        return None

    def floor_steps(self, model: torch.nn.Module, train_batches: list, optim_wrapper,
                    autocast: Callable) -> Optional[Dict[str, FloorStep]]:
        """The parts whose summed time is the floor of a training step, by name
        (timed alone, interleaved with the steps), or None for no floor."""
        return None

    def eval_floor_steps(self, model: torch.nn.Module, eval_batches: list,
                         autocast: Callable) -> Optional[Dict[str, FloorStep]]:
        """The parts whose summed time is the floor of an evaluation step
        (forward only, no gradients), by name, or None for no floor."""
        return None

    def describe(self, mode: str) -> str:
        """A note on the fast path (printed as ``# ...``)."""
        return f'fast path: audio input {mode}'
