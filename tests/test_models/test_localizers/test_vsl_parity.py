"""Numerical parity of EZ-VSL, SLAVC and FNAC with their published code.

For each method the published checkpoint is materialised from
``../shared/parity/vsl/<m>_weights_spec.json`` (the published
``checkpoint_dict``: state dict, Adam state dict, epoch, numpy.float64 best
scores), converted with ``tools/model_converters/ezvsl_to_mmengine.py`` (its
``main``) and loaded by :func:`sspl.apis.init_localizer` into the model of
``configs/ezvsl/ezvsl_flickr10k.py``, ``configs/slavc/slavc_vggsound144k.py``,
``configs/fnac/fnac_vggsound144k.py``, with the object prior enabled through
``test_cfg`` (the materialised ``resnet18-f37072fd.pth`` stand-in). On
``inputs.npz``, against the float32 arrays of ``<m>_expected.npz``:

- eval mode: every ``eval_*`` array (features, logits, maps, object prior,
  fused maps, SLAVC's confidences and log-probabilities) and what
  ``predict()`` writes (``pred_sim_map``, ``pred_score``);
- train mode, one ``model.loss()`` forward and backward (dropout p = 0,
  FNAC past its warm-up): the loss and ``train_*`` arrays, the gradient norm
  and first 512 gradient values of every trainable tensor by published key,
  every BN running buffer, the batch counts, SLAVC's momentum parameters;

each twice: in float32, as users run, and in float64 (``model.double()``,
float64 inputs), which reproduces itself to 1e-13 on any kernels, so its
distance to the stored float32 arrays is a fixed property of the data.

Tolerances. The README's (relative to each array's max magnitude): eval and
train arrays 1e-4, losses also 1e-5 absolute, BN buffers 1e-4, gradient
norms and values 1e-3, momentum parameters 1e-6. What holds on every CPU was
measured with ``tests/test_models/test_localizers/measure_vsl_cpu_spread.py``
on an AVX-512 / AMX CPU over six kernel settings: oneDNN on / off, 1 / 2
threads, and the vector units capped at AVX2 (``ATEN_CPU_CAPABILITY=avx2``,
``ONEDNN_MAX_CPU_ISA=AVX2``, ``MKL_ENABLE_INSTRUCTIONS=AVX2``, what an
AVX2-only CPU runs). Worst over the three methods (float32: over the six
settings, eval arrays over four of them, against the published arrays;
float64: identical in all settings):

==========================  ==========  =========  =======================
quantity                    float32     float64    bound used here
==========================  ==========  =========  =======================
eval arrays (relative)      1.1e-5      6.0e-6     1e-4 (README)
eval loss, absolute         5.9e-5      2.1e-5     float64: 1e-5, FNAC 5e-5
train loss / arrays         8.2e-6      6.2e-6     1e-4 (README)
train loss, absolute        6.9e-5      5.0e-6     float64: 1e-5, FNAC 5e-5
BN buffers                  5.7e-7      3.8e-7     1e-4 (README)
gradient norms              1.6e-3      1.5e-3     3e-3 / 2e-3
gradient values (heads)     4.7e-2      3.0e-2     1e-1 / 4e-2
momentum, first 512 values  0           1.1e-7     float32: 1e-6 (README)
momentum norms              3.5e-5      3.5e-5     float64 norm: 1e-4
==========================  ==========  =========  =======================

The train-mode gradients are the CPU-sensitive part (issue 16): the batch
norms over 4 samples make the float32 gradients ill-conditioned. On the
kernels that wrote the parity data (oneDNN, AVX-512, 2 threads) our float32
gradients match it to 1.2e-4 (norms) / 3.7e-5 (values), within the README's
1e-3; on the other settings by up to 1.6e-3 / 4.7e-2, and our exact
(float64) gradients are 1.5e-3 / 3.0e-2 away from the stored float32 ones:
those are float32 rounding errors of the published run itself (for every
tensor the float64-to-published distance is at most the largest
float32-to-float64 distance of our own runs: ratio 1.0), so no CPU-independent
check against the stored gradients can be tighter. The float64 bounds have
that fixed distance plus a margin; the float32 bounds cover the measured
spread with about 2x for CPUs not measured. The losses, arrays and buffers
stay at the README's bounds, but for the absolute bound on the losses: it is
checked in float64, and FNAC's losses (18 and 49, where one float32 rounding
is 2-4e-6 and the ``100 x`` terms amplify the terms' own) were stored 2.1e-5
(eval) and 5.0e-6 (train) off their exact value: 5e-5 for FNAC. (The
absolute errors of EZ-VSL and SLAVC, 1e-6 in float64, are the same on every
CPU; the relative 1e-4 holds in float32 with 30x margin.)

SLAVC's momentum update ``0.999 p_m + 0.001 p`` is element-wise float32
arithmetic, bit-exact on every setting: the first 512 values are compared at
1e-6. Their stored norms are torch's float32 reduction, off the exact norm by
up to 3.5e-5 (2.4M values): the norms are compared in float64 at 1e-4, far
below the 1e-3 a missed or doubled update moves them by.
"""
import json
import os.path as osp
from types import SimpleNamespace

import numpy as np
import pytest
from mmengine.config import Config

from sspl.testing import vsl_parity_compute as compute
from sspl.testing import materialise_entry, max_relative_error
from sspl.testing.vsl_parity import CONFIGS, METHODS, load_spec, vsl_dir

# (see the module docstring for the measurements behind each bound)
EVAL_TOLERANCE = 1e-4           # relative to each array's max magnitude (README)
# absolute, checked in float64: the README's 1e-5, but FNAC's stored float32
# losses (18 and 49, with its 100 x terms) are themselves 2.1e-5 / 5.0e-6 off
# the exact value
LOSS_TOLERANCE = dict(ezvsl=1e-5, slavc=1e-5, fnac=5e-5)
BUFFER_TOLERANCE = 1e-4         # relative to the buffer's max magnitude (README)
GRAD_NORM_TOLERANCE = dict(float32=3e-3, float64=2e-3)    # relative
GRAD_HEAD_TOLERANCE = dict(float32=1e-1, float64=4e-2)    # relative to the head's max
MOMENTUM_TOLERANCE = 1e-6       # relative, first 512 values (README)
MOMENTUM_NORM_TOLERANCE = 1e-4  # relative, float64 norm vs the stored float32 one
PRECISIONS = ('float32', 'float64')


@pytest.fixture(scope='module', params=METHODS)
def parity(request, parity_dir, repo_root, load_tool, tmp_path_factory):
    """Everything the tests compare, computed once per method."""
    method = request.param
    work = str(tmp_path_factory.mktemp(f'{method}_parity'))
    files = compute.published_files(method, parity_dir, work)
    converted = osp.join(work, f'{method}_converted.pth')
    converter = load_tool(compute.CONVERTER)
    assert converter.main(['--method', method, files['checkpoint'], converted]) == 0

    model = compute.load_model(method, converted, files['prior'])
    images, spectrogram = compute.load_inputs(parity_dir)
    _, to_published = compute.key_maps(method, parity_dir)
    result = SimpleNamespace(method=method, files=files)
    result.eval = {'float32': compute.eval_arrays(method, model, images, spectrogram)}

    config = Config.fromfile(osp.join(repo_root, CONFIGS[method]))
    from mmengine.optim import build_optim_wrapper
    optimizer = build_optim_wrapper(model, config.optim_wrapper).optimizer
    names = {id(param): name for name, param in model.named_parameters()}
    result.optimizer_type = type(optimizer).__name__
    result.optimizer_groups = [
        dict({k: v for k, v in group.items() if k != 'params'},
             params=[to_published[names[id(param)]] for param in group['params']])
        for group in optimizer.param_groups]
    result.initial_batch_counts = {to_published[name]: int(buffer)
                                   for name, buffer in model.named_buffers()
                                   if name.endswith('num_batches_tracked')}
    result.train = {}
    for precision in PRECISIONS:
        if precision == 'float64':
            model = compute.load_model(method, converted, files['prior']).double()
            images, spectrogram = images.double(), spectrogram.double()
            result.eval[precision] = compute.eval_arrays(method, model, images, spectrogram)
        result.train[precision] = compute.train_step(method, model, images, spectrogram,
                                                     to_published)
    result.expected = dict(np.load(osp.join(vsl_dir(parity_dir), f'{method}_expected.npz')))
    with open(osp.join(vsl_dir(parity_dir), 'summary.json')) as file:
        result.summary = json.load(file)[method]
    result.spec = load_spec(parity_dir, method)
    del model, optimizer
    return result


def _by_prefix(expected: dict, prefix: str) -> dict:
    return {key.split('::', 1)[1]: value for key, value in expected.items()
            if key.startswith(prefix + '::')}


@pytest.mark.parametrize('precision', PRECISIONS)
def test_eval_arrays_match_published(parity, precision):
    expected = {k: v for k, v in parity.expected.items() if k.startswith('eval_')}
    computed = {k: v for k, v in parity.eval[precision].items() if k.startswith('eval_')}
    assert set(computed) == set(expected), 'eval arrays computed != published'
    errors = {key: max_relative_error(computed[key], expected[key]) for key in expected}
    bad = {key: err for key, err in errors.items() if not err <= EVAL_TOLERANCE}
    assert not bad, f'{parity.method} ({precision}): eval arrays off: {bad}'
    if precision == 'float64':
        assert abs(float(computed['eval_loss']) - float(expected['eval_loss'])) \
            <= LOSS_TOLERANCE[parity.method]
    assert abs(float(expected['eval_loss']) - parity.summary['eval_loss']) < 1e-6


def test_predict_writes_the_published_maps_and_scores(parity):
    """predict(): the fused map (the object prior is on) as pred_sim_map and,
    for SLAVC, the fused confidence as pred_score (1e-6, the README's bound
    for confidences)."""
    computed = parity.eval['float32']
    fused = 'eval_fused_scores' if parity.method == 'slavc' else 'eval_fused_map'
    assert computed['predict_pred_sim_map'].shape == (4, 224, 224)
    assert max_relative_error(computed['predict_pred_sim_map'],
                              parity.expected[fused]) <= EVAL_TOLERANCE
    if parity.method == 'slavc':
        assert np.abs(computed['predict_pred_score'] -
                      parity.expected['eval_conf_fused']).max() <= 1e-6
    else:
        assert 'predict_pred_score' not in computed


def test_trainable_tensors_are_the_published_ones(parity):
    for precision in PRECISIONS:
        assert parity.train[precision].trainable == sorted(parity.summary['trainable'])


def test_optimizer_is_the_published_one(parity):
    """The config's optimizer is the published Adam (lr, betas, eps, weight
    decay as in the checkpoint's optimizer state) over the trainable tensors."""
    assert parity.optimizer_type == 'Adam'
    published = next(item for item in parity.spec['top_level'] if item['name'] == 'optimizer')
    published_group = published['value']['param_groups'][0]
    optimized = sorted(key for group in parity.optimizer_groups for key in group['params'])
    # exactly the published filter(requires_grad): SLAVC's momentum nets are out
    assert optimized == sorted(parity.summary['trainable'])
    for group in parity.optimizer_groups:
        for name in ('lr', 'eps', 'weight_decay'):
            assert group[name] == pytest.approx(published_group[name]), name
        assert tuple(group['betas']) == tuple(published_group['betas'])


@pytest.mark.parametrize('precision', PRECISIONS)
def test_train_loss_and_arrays_match_published(parity, precision):
    step = parity.train[precision]
    expected = {k: v for k, v in parity.expected.items()
                if k.startswith('train_') and '::' not in k}
    assert set(step.arrays) == set(expected), 'train arrays computed != published'
    errors = {key: max_relative_error(step.arrays[key], expected[key]) for key in expected}
    bad = {key: err for key, err in errors.items() if not err <= EVAL_TOLERANCE}
    assert not bad, f'{parity.method} ({precision}): train arrays off: {bad}'
    assert abs(float(expected['train_loss']) - parity.summary['train_loss']) < 1e-6
    if precision == 'float64':
        assert abs(float(step.arrays['train_loss']) - float(expected['train_loss'])) \
            <= LOSS_TOLERANCE[parity.method]


@pytest.mark.parametrize('precision', PRECISIONS)
def test_train_gradients_match_published(parity, precision):
    step = parity.train[precision]
    norms = _by_prefix(parity.expected, 'train_grad_norm')
    heads = _by_prefix(parity.expected, 'train_grad_head')
    # every trainable tensor has a published gradient, and only those get one
    assert sorted(norms) == sorted(heads) == sorted(step.grads) == step.trainable
    norm_errors = {key: abs(float(np.linalg.norm(step.grads[key])) - float(norms[key]))
                   / float(norms[key]) for key in norms}
    head_errors = {key: max_relative_error(step.grads[key].ravel()[:512], heads[key])
                   for key in heads}
    bad_norms = {k: e for k, e in norm_errors.items() if not e <= GRAD_NORM_TOLERANCE[precision]}
    bad_heads = {k: e for k, e in head_errors.items() if not e <= GRAD_HEAD_TOLERANCE[precision]}
    assert not bad_norms, f'{parity.method} ({precision}): gradient norms off: {bad_norms}'
    assert not bad_heads, f'{parity.method} ({precision}): gradient values off: {bad_heads}'


@pytest.mark.parametrize('precision', PRECISIONS)
def test_batch_norm_buffers_match_published(parity, precision):
    step = parity.train[precision]
    buffers = _by_prefix(parity.expected, 'train_buffer')
    assert sorted(buffers) == sorted(step.buffers)
    errors = {key: max_relative_error(step.buffers[key], buffers[key]) for key in buffers}
    bad = {key: err for key, err in errors.items() if not err <= BUFFER_TOLERANCE}
    assert not bad, f'{parity.method} ({precision}): BN buffers off: {bad}'
    # one train-mode forward counts one batch in every batch norm (SLAVC's
    # momentum nets run theirs once too)
    assert step.batch_counts == {key: count + 1
                                 for key, count in parity.initial_batch_counts.items()}


def test_slavc_momentum_parameters_match_published(parity):
    step = parity.train['float32']
    if parity.method != 'slavc':  # no momentum state in EZ-VSL and FNAC
        assert step.momentum == {} and not _by_prefix(parity.expected, 'train_momentum_norm')
        return
    norms = _by_prefix(parity.expected, 'train_momentum_norm')
    heads = _by_prefix(parity.expected, 'train_momentum_head')
    assert sorted(norms) == sorted(heads) == sorted(step.momentum)
    assert len(norms) == len(parity.summary['trainable'])
    head_errors = {key: max_relative_error(step.momentum[key].ravel()[:512], heads[key])
                   for key in heads}
    norm_errors = {key: abs(float(np.linalg.norm(step.momentum[key])) - float(norms[key]))
                   / float(norms[key]) for key in norms}
    assert max(head_errors.values()) <= MOMENTUM_TOLERANCE, head_errors
    assert max(norm_errors.values()) <= MOMENTUM_NORM_TOLERANCE, norm_errors
    # the parameters moved (an update happened) and by the published amount:
    # without the update the heads would be the loaded momentum weights
    loaded = {entry['key']: entry for entry in
              next(item for item in parity.spec['top_level'] if item['name'] == 'model')['entries']}
    key = sorted(heads)[0]
    before = materialise_entry(loaded[key]).numpy().ravel()[:512]
    assert max_relative_error(before, heads[key]) > 100 * MOMENTUM_TOLERANCE
