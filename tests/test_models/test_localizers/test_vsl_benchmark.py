"""The ResNet-18 family's part of the benchmark
(sspl/models/localizers/vsl_benchmark.py) and its published-computation
baselines (vsl_published.py): found for EZ-VSL, SLAVC and FNAC; the
baselines compute the localizers' numbers along the published paths
(worker-normalised frames, ``spec.float()``, the training forward with its
graph at evaluation, NCHW); the published loader's config follows the
pipeline; the floor's parts time what they say."""
import contextlib
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from sspl.apis.benchmark import method_benchmark_for
from sspl.apis.model import without_pretrained_weights
from sspl.models.localizers.sspl_benchmark import SSPLBenchmark
from sspl.models.localizers.vsl_benchmark import ContrastiveBenchmark, published_loading_cfg
from sspl.models.localizers.vsl_published import (PublishedEZVSL, PublishedFNAC,
                                                  PublishedSLAVC, PublishedVSLDataPreprocessor)
from sspl.registry import MODELS
from sspl.utils import register_all_modules

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
METHODS = {'ezvsl': PublishedEZVSL, 'slavc': PublishedSLAVC, 'fnac': PublishedFNAC}


def config(method, name=None):
    register_all_modules()
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', method,
                                   f'{name or method + "_synthetic"}.py'))
    if name is None:  # random weights: training runs build the synthetic file
        cfg.model = without_pretrained_weights(cfg.model)
    return cfg


def part_for(method):
    model_cfg = config(method).model
    return method_benchmark_for(model_cfg)(model_cfg, work_dir='unused', device='cpu')


def built(model_cfg, state=None):
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(model_cfg))
    model.init_weights()
    if state is not None:
        model.load_state_dict(state)
    return model


def batch(size=4, seed=0, frame=112):
    generator = torch.Generator().manual_seed(seed)
    frames = torch.randint(0, 256, (size, 1, 3, frame, frame), generator=generator,
                           dtype=torch.uint8)
    spectrogram = torch.randn(size, 1, 257, 200, generator=generator, dtype=torch.float64)
    return frames, spectrogram


def test_one_part_for_the_family_and_sspl_keeps_its_own():
    for method in METHODS:
        assert method_benchmark_for(config(method).model) is ContrastiveBenchmark
    sspl_cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'sspl_w_pcm_synthetic.py'))
    assert method_benchmark_for(sspl_cfg.model) is SSPLBenchmark


@pytest.mark.parametrize('method', sorted(METHODS))
def test_fast_and_baseline_model_configs(method):
    part = part_for(method)
    model_cfg = config(method).model
    before = copy.deepcopy(model_cfg)
    fast = part.fast_model_cfg(model_cfg)
    assert fast['visual_backbone']['channels_last'] is True
    assert fast['audio_backbone']['channels_last'] is True
    explicit = copy.deepcopy(model_cfg)
    explicit['visual_backbone']['channels_last'] = False  # a setting of the config is kept
    assert part.fast_model_cfg(explicit)['visual_backbone']['channels_last'] is False
    baseline = part.baseline_model_cfg(fast)
    assert baseline['type'] is METHODS[method]
    assert baseline['data_preprocessor']['type'] is PublishedVSLDataPreprocessor
    assert baseline['visual_backbone']['channels_last'] is False
    assert baseline['audio_backbone']['channels_last'] is False
    assert model_cfg == before
    model = built(baseline)
    assert type(model) is METHODS[method]
    assert isinstance(model.data_preprocessor, PublishedVSLDataPreprocessor)


@pytest.mark.parametrize('method', sorted(METHODS))
def test_published_computation_gives_our_numbers(method):
    """Same weights, same clip: the published inputs (frames normalised in the
    worker, float64 spectrogram cast by the model) and evaluation (the
    training forward, loss included, with autograd on) give our maps; its
    loss is ours; the published evaluation did run the loss (SLAVC: and the
    momentum networks) with a graph, ours did not."""
    part = part_for(method)
    fast_cfg = part.fast_model_cfg(config(method).model)
    ours = built(fast_cfg)
    published = built(part.baseline_model_cfg(fast_cfg), ours.state_dict())
    frames, spectrogram = batch()
    ours_inputs = ours.data_preprocessor(dict(inputs=dict(
        frames=frames, spectrogram=spectrogram.float())))['inputs']
    normalised = ours_inputs['frames'][:, 0].clone()  # what the published workers give
    published_inputs = published.data_preprocessor(dict(inputs=dict(
        frames=list(normalised), spectrogram=list(spectrogram))))['inputs']
    assert published_inputs['frames'].shape == normalised.shape
    assert published_inputs['spectrogram'].dtype == torch.float32
    torch.testing.assert_close(published_inputs['spectrogram'], ours_inputs['spectrogram'])

    calls = []
    loss_hook = published.loss_module.register_forward_hook(
        lambda module, args, out: calls.append(('loss', torch.is_grad_enabled())))
    hooks = [loss_hook]
    if method == 'slavc':
        hooks.append(published.momentum_visual_backbone.register_forward_hook(
            lambda module, args, out: calls.append(('momentum', torch.is_grad_enabled()))))
    ours.eval(), published.eval()
    with torch.no_grad():  # as the benchmark and mmengine's loops run val_step
        our_maps = [s.pred_sim_map for s in ours.predict(ours_inputs)]
        published_maps = [s.pred_sim_map for s in published.predict(published_inputs)]
    for hook in hooks:
        hook.remove()
    assert ('loss', True) in calls
    # (the published SLAVC runs its momentum networks under no_grad, in test mode too)
    assert method != 'slavc' or ('momentum', False) in calls
    torch.testing.assert_close(torch.stack(published_maps), torch.stack(our_maps),
                               rtol=1e-4, atol=1e-4)
    ours.train(), published.train()
    losses = []
    for model, model_inputs in ((published, published_inputs), (ours, ours_inputs)):
        torch.manual_seed(1)  # the same dropout masks
        losses.append(model.loss(model_inputs)['loss'])
    torch.testing.assert_close(losses[0], losses[1], rtol=1e-4, atol=1e-5)


def test_published_loader_follows_the_pipeline():
    pipelines = Config.fromfile(osp.join(REPO_ROOT, 'configs', '_base_', 'datasets',
                                         'spectrogram_pipelines.py'))
    train = published_loading_cfg(pipelines.spectrogram_train_pipeline)
    assert train == dict(type='PublishedVSLLoading', train=True, size=224, flip=True,
                         spectrogram_masks=False, duration=3.0, sample_rate=16000)
    masked = published_loading_cfg(pipelines.spectrogram_masked_train_pipeline)
    assert masked['spectrogram_masks'] is True and masked['train'] is True
    test = published_loading_cfg(pipelines.spectrogram_test_pipeline)
    assert test['train'] is False and test['size'] == 224 and test['spectrogram_masks'] is False
    with pytest.raises(ValueError, match='LoadAudioPyAV'):
        published_loading_cfg([dict(type='LoadFrame'), dict(type='LoadAudio')])


def test_spectrogram_moves_to_the_device_unless_the_workers_transform_it():
    pipelines = Config.fromfile(osp.join(REPO_ROOT, 'configs', '_base_', 'datasets',
                                         'spectrogram_pipelines.py'))
    part = part_for('ezvsl')
    mode = part.resolve_audio_mode('auto')
    fast = part.fast_pipeline(pipelines.spectrogram_train_pipeline, mode)
    assert 'LogSpectrogram' not in [t['type'] for t in fast] and part.used_mode == 'device'
    assert set(part.data_variants(pipelines.spectrogram_train_pipeline)) == {
        'worker_spectrogram', 'published'}
    part = part_for('ezvsl')
    part.resolve_audio_mode('auto')
    fast = part.fast_pipeline(pipelines.spectrogram_masked_train_pipeline, mode)
    assert 'LogSpectrogram' in [t['type'] for t in fast] and part.used_mode == 'worker'
    assert set(part.data_variants(pipelines.spectrogram_masked_train_pipeline)) == {'published'}
    part.fast_pipeline(pipelines.spectrogram_test_pipeline, mode)
    assert part.describe(mode).startswith(
        'fast path: audio input worker: spectrogram in the data workers (not on the device: '
        'its workers transform the spectrogram (FrequencyMask, TimeMask)); test pipeline: device')
    part = part_for('fnac')
    part.resolve_audio_mode('device')
    with pytest.raises(SystemExit, match='--audio device: its workers transform'):
        part.fast_pipeline(pipelines.spectrogram_masked_train_pipeline, 'device')
    part.resolve_audio_mode('worker')
    assert part.fast_pipeline(pipelines.spectrogram_train_pipeline, 'worker') == \
        pipelines.spectrogram_train_pipeline


@pytest.mark.parametrize('method', sorted(METHODS))
def test_floor_parts(method):
    """Each part runs its work once per call inside ``timed``: the encoders
    forward + backward (their parameters get gradients), the rest of the
    model from their outputs (the encoders not run; SLAVC's momentum
    networks run); the model is left as found."""
    from mmengine.optim import build_optim_wrapper
    cfg = config(method)
    part = part_for(method)
    model = built(part.fast_model_cfg(cfg.model))
    optim_wrapper = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    frames, spectrogram = batch(size=2)
    batches = [dict(inputs=dict(frames=list(frames), spectrogram=list(spectrogram.float())),
                    data_samples=None)]
    steps = part.floor_steps(model, batches, optim_wrapper, contextlib.nullcontext)
    assert list(steps) == ['image encoder', 'audio encoder', 'rest of the model']
    runs = []
    for name in ('visual_backbone', 'audio_backbone'):
        getattr(model, name).register_forward_hook(lambda m, a, o, name=name: runs.append(name))
    if method == 'slavc':
        model.momentum_visual_backbone.register_forward_hook(
            lambda m, a, o: runs.append('momentum'))
    encoders = (model.visual_backbone, model.audio_backbone)
    grads = {}

    def timed(fn):
        fn()
        grads[name] = {key: param.grad is not None and param.grad.abs().sum() > 0
                       for key, param in model.named_parameters() if param.requires_grad}

    for name, step in steps.items():
        runs.clear()
        step(0, timed)
        expected = {'image encoder': ['visual_backbone'], 'audio encoder': ['audio_backbone'],
                    'rest of the model': ['momentum'] if method == 'slavc' else []}[name]
        assert runs == expected, (name, runs)
    assert all(grads['image encoder'][k] for k in grads['image encoder']
               if k.startswith('visual_backbone.'))
    assert not any(grads['image encoder'][k] for k in grads['image encoder']
                   if k.startswith('audio_backbone.'))
    proj = 'visual_proj1.proj.weight' if method == 'slavc' else 'visual_proj.proj.weight'
    assert grads['rest of the model'][proj]
    assert (model.visual_backbone, model.audio_backbone) == encoders
    assert all(param.grad is None or not param.grad.any() for param in model.parameters())


@pytest.mark.parametrize('method, momentum', [(method, False) for method in sorted(METHODS)]
                         + [('slavc', True)])
def test_eval_floor_parts(method, momentum):
    """The evaluation floor: each encoder's forward alone, without a graph,
    and the rest of ``predict`` from their outputs (the encoders not run)
    giving the maps of the whole ``predict``; SLAVC with momentum features
    times its momentum encoders; the model is left as found."""
    cfg = config(method)
    if momentum:
        cfg.model.test_cfg = dict(cfg.model.get('test_cfg') or {}, use_momentum_features=True)
    part = part_for(method)
    model = built(part.fast_model_cfg(cfg.model)).eval()
    frames, spectrogram = batch(size=2)
    batches = [dict(inputs=dict(frames=list(frames), spectrogram=list(spectrogram.float())),
                    data_samples=None)]
    with torch.no_grad():
        data = model.data_preprocessor(batches[0], False)
        expected = model.predict_maps(model.first_view(data['inputs']),
                                      spectrogram=data['inputs']['spectrogram'])
    steps = part.eval_floor_steps(model, batches, contextlib.nullcontext)
    assert list(steps) == ['image encoder', 'audio encoder', 'rest of the model']
    prefix = 'momentum_' if momentum else ''
    encoders = {name: getattr(model, prefix + name) for name in ('visual_backbone',
                                                                   'audio_backbone')}
    runs = []
    for name, module in encoders.items():
        module.register_forward_hook(lambda m, a, o, name=name: runs.append(name))
    results = {}

    def timed(fn):
        assert not torch.is_grad_enabled()
        results[part_name] = fn()

    for part_name, step in steps.items():
        runs.clear()
        step(0, timed)
        assert runs == {'image encoder': ['visual_backbone'], 'audio encoder': ['audio_backbone'],
                        'rest of the model': []}[part_name], (part_name, runs)
    assert results['image encoder'].shape[-2:] == (4, 4) and results['image encoder'].dim() == 4
    maps = torch.stack([sample.pred_sim_map for sample in results['rest of the model']])
    torch.testing.assert_close(maps, expected)
    assert {name: getattr(model, prefix + name) for name in encoders} == encoders


def test_slavc_momentum_update_is_the_published_loop_bit_for_bit():
    """SLAVC's multi-tensor momentum update gives the published per-parameter
    loop's momentum parameters exactly (same roundings), after several
    updates from different online and momentum weights."""
    cfg = config('slavc')
    model = built(cfg.model)
    published = built(dict(copy.deepcopy(cfg.model), type=PublishedSLAVC))
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for param in model.parameters():
            param.copy_(torch.randn(param.shape, generator=generator))
    published.load_state_dict(model.state_dict())
    for step in range(3):
        with torch.no_grad():
            for name, param in model.named_parameters():
                if not name.startswith('momentum_'):
                    param.add_(torch.randn(param.shape, generator=generator))
        published.load_state_dict({key: value for key, value in model.state_dict().items()
                                   if not key.startswith('momentum_')}, strict=False)
        model.momentum_update()
        published.momentum_update()
    momentum = {key: value for key, value in model.state_dict().items()
                if key.startswith('momentum_')}
    assert momentum and all(torch.equal(value, published.state_dict()[key])
                            for key, value in momentum.items())
    assert not torch.equal(momentum['momentum_visual_proj1.proj.weight'],
                           model.state_dict()['visual_proj1.proj.weight'])
