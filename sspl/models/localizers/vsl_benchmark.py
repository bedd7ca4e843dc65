"""The benchmark part (:mod:`sspl.apis.benchmark`) of the ResNet-18 family
(EZ-VSL, SLAVC, FNAC): one part, registered under their common base
:class:`BaseContrastiveLocalizer`, since their published computations have
the same shape (two ResNet-18 encoders trained end to end on a frame and a
log spectrogram, a contrastive loss over the batch).

- ``--audio``: ``device`` (default where it applies): the pipeline packs the
  16 kHz waveform and the data preprocessor's ``LogSpectrogramFrontend``
  computes the spectrogram batched on the model's device (within the
  parity bound of the published float64 one); ``worker``: the config's
  pipeline, spectrogram in the data workers. A pipeline that transforms the
  spectrogram in the workers (FNAC's masks) keeps it there.
- fast model: both encoders channels-last where the config does not set
  ``channels_last`` (float32 rounding aside, the same numbers:
  ``ResNet18(channels_last=...)``), and torch's fused Adam where the config
  chooses no implementation (``optimizer.fused``).
- floor: the image encoder and the audio encoder, forward + backward at the
  batch, and the rest of the model (projections, loss, SLAVC's momentum
  networks and the heads' momentum update) forward + backward from the
  encoders' outputs, each timed alone (the optimizer step, the data
  preprocessor and the encoders' momentum update are outside it); the
  evaluation floor: the same encoders forward without gradients and the
  rest of ``predict`` from their outputs.
- baseline: the published computation: the published loader
  (:class:`~sspl.datasets.transforms.PublishedVSLLoading`: PIL, torchvision
  transforms and normalisation, PyAV with default probing, scipy's
  spectrogram in float64) and model paths
  (:mod:`.vsl_published`: worker-normalised float32 frames, ``spec.float()``,
  the training forward with its graph at evaluation, NCHW), in float32.
"""
import copy
import os.path as osp
from typing import Dict, List, Optional

import torch
import torch.nn as nn

from sspl.registry import METHOD_BENCHMARKS, MODELS
from sspl.utils.benchmark import FixedOutput, FloorStep, MethodBenchmark, predict_floor_steps
from .vsl_published import PublishedVSLDataPreprocessor, published_class_for

#: worker transforms that read or change the spectrogram after LogSpectrogram
SPECTROGRAM_TRANSFORMS = ('FrequencyMask', 'TimeMask')
#: the published pipelines, for model-only configs (in a source checkout)
PUBLISHED_PIPELINES = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..', 'configs',
                                           '_base_', 'datasets', 'spectrogram_pipelines.py'))
ENCODERS = ('visual_backbone', 'audio_backbone')


def _types(pipeline) -> List[str]:
    return [transform.get('type') for transform in pipeline]


def _find(pipeline, name: str) -> Optional[dict]:
    return next((t for t in pipeline if t.get('type') == name), None)


def published_loading_cfg(pipeline) -> dict:
    """The :class:`PublishedVSLLoading` config doing the published loader's
    work for a pipeline of the toolbox (train if it crops at random, the
    frame size, flip, masks, audio length and rate of its own steps)."""
    audio = _find(pipeline, 'LoadAudioPyAV')
    if audio is None:
        raise ValueError('benchmark: the pipeline has no LoadAudioPyAV: not the published '
                         'spectrogram pre-processing')
    crop = _find(pipeline, 'RandomCrop')
    if crop is not None:
        size, train = crop['size'], True
    else:
        resize = _find(pipeline, 'Resize') or _find(pipeline, 'CenterCrop')
        if resize is None:
            raise ValueError('benchmark: the pipeline has neither RandomCrop nor Resize / '
                             'CenterCrop: cannot tell the published frame transform')
        size, train = resize['size'], False
        size = size[0] if isinstance(size, (list, tuple)) else size
    types = _types(pipeline)
    return dict(type='PublishedVSLLoading', train=train, size=int(size),
                flip='RandomFlip' in types,
                spectrogram_masks=any(name in types for name in SPECTROGRAM_TRANSFORMS),
                duration=audio.get('duration', 3.0), sample_rate=audio.get('sample_rate'))


def fused_adam_supported(device: str) -> bool:
    """Whether torch's fused Adam runs on ``device`` (CUDA; CPUs from torch 2.4)."""
    try:
        param = torch.zeros(1, device=device, requires_grad=True)
        torch.optim.Adam([param], fused=True)
        return True
    except (RuntimeError, TypeError, ValueError):
        return False


@METHOD_BENCHMARKS.register_module(name='BaseContrastiveLocalizer')
class ContrastiveBenchmark(MethodBenchmark):
    """The ResNet-18 family's audio inputs, fast model, floor and baseline
    (module docstring)."""

    audio_modes = ('device', 'worker')
    baseline_data_variant = 'published'

    def __init__(self, model_cfg: dict, work_dir: str, device: str):
        super().__init__(model_cfg, work_dir, device)
        self.requested_mode = 'auto'
        self.used_modes: List[str] = []          # of the fast pipelines made, in order
        self.fallback: Optional[str] = None      # why 'device' fell back to 'worker'

    def resolve_audio_mode(self, mode: str) -> str:
        self.requested_mode = mode
        return super().resolve_audio_mode(mode)

    # ------------------------------------------------------------ model
    def fast_model_cfg(self, model_cfg: dict) -> dict:
        """Both encoders channels-last, unless the config says otherwise."""
        cfg = copy.deepcopy(model_cfg)
        for name in ENCODERS:
            if isinstance(cfg.get(name), dict):
                cfg[name].setdefault('channels_last', True)
        return cfg

    def fast_optim_wrapper_cfg(self, optim_wrapper_cfg: Optional[dict]) -> Optional[dict]:
        """Adam / AdamW with ``fused=True`` where torch has the fused kernel
        for the device and the config chooses no implementation (``fused`` /
        ``foreach`` unset): one pass over the parameters instead of one
        kernel per tensor and operation (23 M parameters on one CPU thread:
        28 ms instead of 108 ms); rounding aside, the same update."""
        if not optim_wrapper_cfg:
            return optim_wrapper_cfg
        cfg = copy.deepcopy(optim_wrapper_cfg)
        optimizer = cfg.get('optimizer') or {}
        if optimizer.get('type') in ('Adam', 'AdamW') and 'fused' not in optimizer \
                and 'foreach' not in optimizer and fused_adam_supported(self.device):
            optimizer['fused'] = True
        return cfg

    def _frontend(self) -> Optional[dict]:
        preprocessor = self.model_cfg.get('data_preprocessor') or {}
        frontend = preprocessor.get('audio_frontend') if isinstance(preprocessor, dict) else None
        if frontend is None and 'data_preprocessor' not in self.model_cfg:
            # the localizers' default data preprocessor has the front end
            frontend = dict(type='LogSpectrogramFrontend', sample_rate=16000)
        return frontend

    def _device_mode_problem(self, pipeline) -> Optional[str]:
        """Why the spectrogram cannot move to the device for ``pipeline`` (or None)."""
        types = _types(pipeline)
        if 'LogSpectrogram' not in types:
            return 'the pipeline computes no spectrogram in its workers'
        after = types[types.index('LogSpectrogram') + 1:]
        masks = [name for name in after if name in SPECTROGRAM_TRANSFORMS]
        if masks:
            return f'its workers transform the spectrogram ({", ".join(masks)})'
        frontend = self._frontend()
        if not frontend or frontend.get('type') != 'LogSpectrogramFrontend':
            return 'the data preprocessor has no LogSpectrogramFrontend'
        audio = _find(pipeline, 'LoadAudioPyAV') or {}
        if audio.get('sample_rate') != frontend.get('sample_rate', 16000):
            return (f"LoadAudioPyAV's sample_rate {audio.get('sample_rate')} is not the front "
                    f"end's {frontend.get('sample_rate', 16000)}")
        return None

    def fast_pipeline(self, pipeline: List[dict], mode: str) -> List[dict]:
        pipeline = [dict(t) for t in pipeline]
        if mode == 'device':
            problem = self._device_mode_problem(pipeline)
            if problem is not None:
                if self.requested_mode == 'device':
                    raise SystemExit(f'benchmark: --audio device: {problem}')
                mode = 'worker'
                self.fallback = self.fallback or problem
            else:
                pipeline = [t for t in pipeline if t.get('type') != 'LogSpectrogram']
        self.used_modes.append(mode)
        return pipeline

    @property
    def used_mode(self) -> Optional[str]:
        """The audio input of the last fast pipeline made."""
        return self.used_modes[-1] if self.used_modes else None

    def data_variants(self, pipeline: List[dict]) -> Dict[str, List[dict]]:
        variants = {}
        if self.used_mode == 'device':
            variants['worker_spectrogram'] = [dict(t) for t in pipeline]  # as configured
        variants['published'] = [published_loading_cfg(pipeline)]
        return variants

    def default_pipelines(self) -> Optional[Dict[str, List[dict]]]:
        if not osp.isfile(PUBLISHED_PIPELINES):
            return None
        from mmengine.config import Config
        published = Config.fromfile(PUBLISHED_PIPELINES)
        return dict(train=published.spectrogram_train_pipeline,
                    test=published.spectrogram_test_pipeline)

    def baseline_model_cfg(self, model_cfg: dict) -> Optional[dict]:
        """The published computation of the method (:mod:`.vsl_published`):
        NCHW encoders, the published inputs, the published evaluation."""
        model_type = model_cfg.get('type')
        model_class = MODELS.get(model_type) if isinstance(model_type, str) else model_type
        published = published_class_for(model_class) if model_class else None
        if published is None:
            return None
        cfg = copy.deepcopy(model_cfg)
        cfg['type'] = published
        cfg['data_preprocessor'] = dict(type=PublishedVSLDataPreprocessor)
        for name in ENCODERS:
            if isinstance(cfg.get(name), dict):
                cfg[name]['channels_last'] = False
        return cfg

    # ------------------------------------------------------------ floor
    def floor_steps(self, model: nn.Module, train_batches: list, optim_wrapper,
                    autocast) -> Optional[Dict[str, FloorStep]]:
        """``image encoder``, ``audio encoder`` (each forward + backward of
        the batch) and ``rest of the model`` (forward + backward of the loss
        from the encoders' outputs), on inputs prepared here once."""
        if not all(isinstance(getattr(model, name, None), nn.Module) for name in ENCODERS):
            return None
        model.train()
        inputs = [model.data_preprocessor(batch, True) for batch in train_batches]
        encoder_inputs = {'visual_backbone': [model.first_view(d['inputs']) for d in inputs],
                          'audio_backbone': [d['inputs']['spectrogram'] for d in inputs]}
        outputs = {name: [] for name in ENCODERS}
        with torch.no_grad(), autocast():
            for name in ENCODERS:
                for tensor in encoder_inputs[name]:
                    outputs[name].append(getattr(model, name)(tensor))
        generator = torch.Generator().manual_seed(0)
        gradients = {name: [torch.randn(out.shape, generator=generator).to(out)
                            for out in outputs[name]] for name in ENCODERS}
        fixed = {name: FixedOutput() for name in ENCODERS}

        def encoder(name):
            def step(index, timed):
                model.train()
                module = getattr(model, name)
                optim_wrapper.zero_grad()

                def forward_backward():
                    with autocast():
                        out = module(encoder_inputs[name][index])
                    out.backward(gradients[name][index])

                try:
                    timed(forward_backward)
                finally:
                    optim_wrapper.zero_grad()
            return step

        def rest(index, timed):
            model.train()
            encoders = {name: getattr(model, name) for name in ENCODERS}
            for name in ENCODERS:
                fixed[name].output = outputs[name][index].detach().requires_grad_()
                setattr(model, name, fixed[name])
            optim_wrapper.zero_grad()
            try:
                def forward_backward():
                    data = inputs[index]
                    with optim_wrapper.optim_context(model):
                        loss = model.loss(data['inputs'], data['data_samples'])['loss']
                    optim_wrapper.backward(loss)

                timed(forward_backward)
            finally:
                for name, module in encoders.items():
                    setattr(model, name, module)
                optim_wrapper.zero_grad()

        return {'image encoder': encoder('visual_backbone'),
                'audio encoder': encoder('audio_backbone'),
                'rest of the model': rest}

    def eval_floor_steps(self, model: nn.Module, eval_batches: list,
                         autocast) -> Optional[Dict[str, FloorStep]]:
        """``image encoder`` and ``audio encoder`` forward on the test view
        and ``rest of the model`` (projections, map, confidence, the object
        prior where fused) from their outputs, without gradients (the
        encoders ``predict`` uses: SLAVC's momentum ones with
        ``test_cfg.use_momentum_features``)."""
        prefix = 'momentum_' if model.test_cfg.get('use_momentum_features') else ''
        if not all(isinstance(getattr(model, prefix + name, None), nn.Module)
                   for name in ENCODERS):
            return None
        return predict_floor_steps(model, eval_batches, autocast, {
            'image encoder': (prefix + 'visual_backbone', model.first_view),
            'audio encoder': (prefix + 'audio_backbone', lambda inputs: inputs['spectrogram'])})

    def describe(self, mode: str) -> str:
        layouts = ', '.join(f"{name} channels_last="
                            f"{self.fast_model_cfg(self.model_cfg)[name].get('channels_last')}"
                            for name in ENCODERS if isinstance(self.model_cfg.get(name), dict))
        where = {'device': 'spectrogram on the device (LogSpectrogramFrontend, batched)',
                 'worker': 'spectrogram in the data workers'}
        # (the benchmark makes the training pipeline first, then the test one)
        modes = self.used_modes or [mode]
        text = f'fast path: audio input {modes[0]}: {where[modes[0]]}'
        if self.fallback and modes[0] == 'worker':
            text += f' (not on the device: {self.fallback})'
        if len(set(modes)) > 1:
            text += f'; test pipeline: {modes[-1]}'
        return f'{text}; {layouts}'
