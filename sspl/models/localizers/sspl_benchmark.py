"""SSPL's part of the benchmark (:mod:`sspl.apis.benchmark`): its audio inputs
(cached VGGish embeddings, log-mel in the data workers, or waveform with the
log-mel on the device), the floor of its training step and its published
computation (:class:`PublishedSSPL`) as the baseline.

Registered in ``METHOD_BENCHMARKS`` under ``SSPL``: every SSPL subclass gets it.
"""
import copy
import os.path as osp
from typing import Dict, List, Optional

import torch
import torch.nn as nn

from sspl.registry import METHOD_BENCHMARKS
from sspl.utils.benchmark import FixedOutput, FloorStep, MethodBenchmark, predict_floor_steps

#: the transforms that load or compute SSPL's audio input
AUDIO_TRANSFORMS = ('LoadAudio', 'VGGishLogMel', 'LoadCachedLogMel', 'LoadVGGishEmbedding')
#: the published pipelines, for model-only configs (in a source checkout)
PUBLISHED_PIPELINES = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..', 'configs',
                                           '_base_', 'datasets', 'published_common.py'))


def audio_params(pipeline) -> dict:
    """``sample_rate``, ``duration``, ``normalize`` of the pipeline's audio loading."""
    params = dict(sample_rate=16000, duration=3.0, normalize=True)
    for transform in pipeline:
        if transform.get('type') in AUDIO_TRANSFORMS:
            params.update({k: transform[k] for k in params if k in transform})
    return params


def with_audio(pipeline, mode: str, cache_cfg: Optional[dict] = None) -> list:
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


@METHOD_BENCHMARKS.register_module(name='SSPL')
class SSPLBenchmark(MethodBenchmark):
    """SSPL's audio inputs, floor and baseline.

    - ``--audio``: ``cache`` (default while VGGish is frozen: the embeddings of
      the model's VGGish, filled in the benchmark's work dir), ``logmel``,
      ``waveform``; ``data_logmel_samples_per_s`` is always reported;
    - floor: the frozen visual backbone on both views, plus the trainable
      parts (audio head, PCM, similarity, pooling, SimSiam head and loss)
      forward + backward from the backbone's maps and the VGGish embeddings,
      each timed alone; the evaluation floor: the backbone on the test view
      and the rest of ``predict`` from its maps, without gradients;
    - baseline: :class:`PublishedSSPL` (audio loop per sample, both views and
      the loss at evaluation) without channels-last, reading log-mel computed
      per sample in the data pipeline, VGGish recomputed every time.
    """

    audio_modes = ('cache', 'logmel', 'waveform')
    baseline_data_variant = 'logmel'

    def __init__(self, model_cfg: dict, work_dir: str, device: str):
        super().__init__(model_cfg, work_dir, device)
        self.cache_cfg = None

    def resolve_audio_mode(self, mode: str) -> str:
        frozen = self.model_cfg['audio_backbone'].get('frozen', True)
        if mode == 'auto':
            return 'cache' if frozen else 'logmel'
        if mode == 'cache' and not frozen:
            raise ValueError('benchmark: --audio cache needs a frozen VGGish')
        return super().resolve_audio_mode(mode)

    def prepare(self, model: nn.Module) -> None:
        """The cache holds the embeddings of this model's (random) VGGish."""
        vggish_file = osp.join(self.work_dir, 'vggish.pth')
        torch.save(model.audio_backbone.state_dict(), vggish_file)
        backbone = dict(copy.deepcopy(self.model_cfg['audio_backbone']), pretrained=vggish_file)
        self.cache_cfg = dict(cache_dir=osp.join(self.work_dir, 'vggish_embeddings'),
                              backbone=backbone)

    def fast_pipeline(self, pipeline: List[dict], mode: str) -> List[dict]:
        return with_audio(pipeline, mode, self.cache_cfg)

    def data_variants(self, pipeline: List[dict]) -> Dict[str, List[dict]]:
        return dict(logmel=with_audio(pipeline, 'logmel'))

    def default_pipelines(self) -> Optional[Dict[str, List[dict]]]:
        """The training pipeline of the benchmark configs and the published
        (Flickr) test view."""
        if not osp.isfile(PUBLISHED_PIPELINES):
            return None
        from mmengine.config import Config
        published = Config.fromfile(PUBLISHED_PIPELINES)
        return dict(train=published.train_pipeline, test=published.flickr_test_pipeline)

    def baseline_model_cfg(self, model_cfg: dict) -> dict:
        """The faithful slow path: :class:`PublishedSSPL`, no channels-last."""
        cfg = copy.deepcopy(model_cfg)
        cfg['type'] = 'PublishedSSPL'
        for part in ('visual_backbone', 'audio_backbone'):
            if 'channels_last' in cfg[part]:
                cfg[part]['channels_last'] = False
        return cfg

    def floor_steps(self, model: nn.Module, train_batches: list, optim_wrapper,
                    autocast) -> Dict[str, FloorStep]:
        """``visual backbone`` and ``trainable parts``, on inputs prepared
        here once: preprocessed batches with VGGish embeddings, and the
        backbone maps of both views."""
        model.train()
        inputs = [model.data_preprocessor(batch, True) for batch in train_batches]
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
        fixed = FixedOutput()

        def backbone(index, timed):
            """The frozen backbone on both views, alone."""
            model.train()
            with torch.no_grad(), autocast():
                timed(lambda: model.visual_backbone(flat_frames[index]))

        def trainable(index, timed):
            """The trainable parts forward + backward from the backbone's maps."""
            model.train()
            visual_backbone, fixed.output = model.visual_backbone, maps[index]
            model.visual_backbone = fixed
            optim_wrapper.zero_grad()
            try:
                def step():
                    data = inputs[index]
                    with optim_wrapper.optim_context(model):
                        loss = model.loss(data['inputs'], data['data_samples'])['loss']
                    optim_wrapper.backward(loss)

                timed(step)
            finally:
                model.visual_backbone = visual_backbone
                optim_wrapper.zero_grad()

        return {'visual backbone': backbone, 'trainable parts': trainable}

    def eval_floor_steps(self, model: nn.Module, eval_batches: list,
                         autocast) -> Dict[str, FloorStep]:
        """``visual backbone`` on the test view and ``rest of the model``
        (audio branch from the cached embeddings or VGGish on the log-mel,
        PCM, similarity map) from its maps, without gradients."""
        return predict_floor_steps(model, eval_batches, autocast, {
            'visual backbone': ('visual_backbone', model.first_view)})

    def describe(self, mode: str) -> str:
        channels_last = self.model_cfg['visual_backbone'].get('channels_last', False)
        return f'fast path: audio input {mode}; VGG16 channels_last={channels_last}'
