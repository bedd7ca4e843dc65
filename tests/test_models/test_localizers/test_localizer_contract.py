"""The contract every registered localizer fulfils, checked on each one
(enumerated from the MODELS registry: a new method without an entry in
TINY_CONFIGS fails ``test_every_registered_localizer_has_a_tiny_config``).

Each method runs on batches its own config's pipelines make from the
synthetic set: the three modes (``tensor`` maps ``(B, h, w)``, ``predict``
data samples with ``pred_sim_map`` and, where the method defines one,
``pred_score``; ``loss``), ``test_step``, a CPU ``train_step`` that updates the
trainable parameters (or, for a method without any, a ``loss()`` that says it
does not train), and a checkpoint save / load round trip that gives the same
maps and needs no unsafe pickle globals.
"""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import default_collate, pseudo_collate
from mmengine.optim import build_optim_wrapper

from sspl.apis.model import load_localizer_checkpoint
from sspl.registry import DATASETS, MODELS
from sspl.structures import LocalizationDataSample
from sspl.testing import REPO_ROOT, import_module_file
from sspl.testing.localizers import TINY_CONFIGS as PACKAGE_TINY_CONFIGS
from sspl.testing.localizers import registered_localizers

# The toy of tests/test_e2e/toy_method stands for a user's method outside the
# package; importing it registers it, so it is checked too (under the name its
# config's custom_imports gives).
import_module_file(osp.join(REPO_ROOT, 'tests', 'test_e2e', 'toy_method',
                            'toy_spectrogram_localizer.py'))
#: registered localizer class -> tiny configs: (config file, model overrides)
TINY_CONFIGS = dict(PACKAGE_TINY_CONFIGS, ToySpectrogramLocalizer=[
    ('tests/test_e2e/toy_method/toy_spectrogram_synthetic.py', dict())])
NUM_SAMPLES = 4
BATCH = 2


def _cases():
    cases = []
    for name in sorted(registered_localizers()):
        for index, entry in enumerate(TINY_CONFIGS.get(name, [(None, None)])):
            cases.append(pytest.param(name, entry, id=f'{name}-{index}'))
    return cases


def test_every_registered_localizer_has_a_tiny_config():
    missing = sorted(set(registered_localizers()) - set(TINY_CONFIGS))
    assert not missing, (f'registered localizers without a tiny config in TINY_CONFIGS of '
                         f'{__file__}: {missing}')


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    return str(tmp_path_factory.mktemp('contract_synthetic'))


def _load(name, entry, data_root):
    if entry[0] is None:
        pytest.fail(f'{name} has no tiny config in TINY_CONFIGS')
    config, overrides = entry
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    cfg.merge_from_dict(dict(model=overrides))
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(cfg.model))
    model.init_weights()
    assert type(model).__name__ == name
    return cfg, model


def _batch(cfg, split: str, data_root: str):
    loader = cfg[f'{split}_dataloader']
    dataset_cfg = copy.deepcopy(loader['dataset'])
    dataset_cfg.update(data_root=data_root, num_samples=NUM_SAMPLES)
    dataset = DATASETS.build(dataset_cfg)
    collate = (loader.get('collate_fn') or {}).get('type', 'pseudo_collate')
    items = [dataset[i] for i in range(BATCH)]
    return (default_collate if collate == 'default_collate' else pseudo_collate)(items)


@pytest.mark.parametrize('name, entry', _cases())
def test_modes_shapes_and_data_samples(name, entry, data_root):
    cfg, model = _load(name, entry, data_root)
    model.eval()
    batch = _batch(cfg, 'test', data_root)
    data = model.data_preprocessor(copy.deepcopy(batch), False)
    with torch.no_grad():
        maps = model(**data, mode='tensor')
        assert maps.dim() == 3 and maps.shape[0] == BATCH and min(maps.shape[1:]) >= 1
        assert torch.isfinite(maps).all()
        _, scores = model.predict_maps_and_scores(model.first_view(data['inputs']),
                                                  **model.audio_inputs(data['inputs']))
        samples = model(**data, mode='predict')
        stepped = model.test_step(copy.deepcopy(batch))
    assert len(samples) == BATCH and len(stepped) == BATCH
    for index, (sample, step_sample) in enumerate(zip(samples, stepped)):
        assert isinstance(sample, LocalizationDataSample)
        assert sample.pred_sim_map.shape == maps.shape[1:]
        torch.testing.assert_close(sample.pred_sim_map, maps[index])
        torch.testing.assert_close(step_sample.pred_sim_map, maps[index])
        assert sample.gt_map.dim() == 2  # the pipeline's ground truth travels along
        if scores is None:
            assert not hasattr(sample, 'pred_score')
        else:
            assert sample.pred_score.shape == () and torch.isfinite(sample.pred_score)
            torch.testing.assert_close(sample.pred_score, scores[index])
    with pytest.raises(RuntimeError, match='invalid mode'):
        model(**data, mode='logits')


@pytest.mark.parametrize('name, entry', _cases())
def test_train_step_on_cpu(name, entry, data_root):
    cfg, model = _load(name, entry, data_root)
    trainable = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    if not trainable:
        batch = _batch(cfg, 'test', data_root)
        data = model.data_preprocessor(batch, True)
        with pytest.raises(RuntimeError, match='does not train'):
            model(**data, mode='loss')
        return
    # parameters a method updates itself, without gradients (EMA / momentum
    # targets, named by its ``ema_parameter_prefixes``), are not frozen
    ema = tuple(getattr(model, 'ema_parameter_prefixes', ()))
    frozen = {n: p.detach().clone() for n, p in model.named_parameters()
              if not p.requires_grad and not n.startswith(ema)}
    batch = _batch(cfg, 'train', data_root)
    model.train()
    losses = model(**model.data_preprocessor(copy.deepcopy(batch), True), mode='loss')
    assert losses['loss'].dim() == 0 and torch.isfinite(losses['loss'])
    optim_wrapper = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    log_vars = model.train_step(batch, optim_wrapper)
    assert torch.isfinite(torch.as_tensor(log_vars['loss']))
    params = dict(model.named_parameters())
    assert any(not torch.equal(params[n], value) for n, value in trainable.items())
    assert all(torch.equal(params[n], value) for n, value in frozen.items())


@pytest.mark.parametrize('name, entry', _cases())
def test_checkpoint_round_trip(name, entry, data_root, tmp_path):
    cfg, model = _load(name, entry, data_root)
    model.eval()
    path = str(tmp_path / 'model.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    assert torch.serialization.get_unsafe_globals_in_checkpoint(path) == []
    torch.manual_seed(123)
    fresh = MODELS.build(copy.deepcopy(cfg.model))
    fresh.init_weights()
    load_localizer_checkpoint(fresh, path)
    fresh.eval()
    batch = _batch(cfg, 'test', data_root)
    with torch.no_grad():
        expected = model.test_step(copy.deepcopy(batch))
        loaded = fresh.test_step(batch)
    for a, b in zip(expected, loaded):
        assert torch.equal(a.pred_sim_map, b.pred_sim_map)
