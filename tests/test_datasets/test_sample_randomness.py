"""Per-sample randomness: the training data of an epoch is a function of
(seed, epoch, index), whatever the worker count, persistent workers, the
process that loads it, or a resume."""
import hashlib
import os.path as osp
import pickle
from unittest import mock

import mmengine.dataset.sampler as mmengine_sampler

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import default_collate
from torch.utils.data import DataLoader

from sspl.datasets import sample_randomness
from sspl.datasets.sample_randomness import SampleKey, sample_rng, sub_sample
from sspl.registry import DATA_SAMPLERS, DATASETS, TRANSFORMS
from sspl.utils import register_all_modules

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO_ROOT, 'configs', 'sspl_w_pcm_synthetic.py')


@pytest.fixture(scope='module')
def train_set(tmp_path_factory):
    """The shipped synthetic config's training set and pipeline, 8 clips."""
    register_all_modules()
    cfg = Config.fromfile(CONFIG)
    dataset_cfg = cfg.train_dataloader.dataset
    dataset_cfg.update(data_root=str(tmp_path_factory.mktemp('synthetic')), num_samples=8)
    return DATASETS.build(dataset_cfg)


def sample_digests(dataset, num_workers, persistent, epochs=(0, 1), seed=7, num_replicas=1,
                   rank=0):
    """``{(epoch, sample_id): md5 of the sample's frames}`` as sspl's sampler and
    a DataLoader with ``num_workers`` deliver them."""
    # the sampler of rank ``rank`` of a ``num_replicas``-process run
    with mock.patch.object(mmengine_sampler, 'get_dist_info', return_value=(rank, num_replicas)):
        sampler = DATA_SAMPLERS.build(dict(type='KeyedSampler', shuffle=True),
                                      default_args=dict(dataset=dataset, seed=seed))
    loader = DataLoader(dataset, batch_size=2, sampler=sampler, num_workers=num_workers,
                        persistent_workers=persistent, collate_fn=default_collate)
    digests = {}
    for epoch in epochs:
        sampler.set_epoch(epoch)
        for batch in loader:
            for frames, sample in zip(batch['inputs']['frames'], batch['data_samples']):
                digests[(epoch, sample.sample_id)] = hashlib.md5(
                    frames.numpy().tobytes()).hexdigest()
    return digests


def test_same_samples_with_0_1_2_or_3_workers_persistent_or_not(train_set):
    reference = sample_digests(train_set, 0, False)
    assert len(reference) == 16
    for num_workers, persistent in ((1, True), (2, True), (2, False), (3, True)):
        assert sample_digests(train_set, num_workers, persistent) == reference, \
            (num_workers, persistent)


def test_epochs_differ_and_a_resumed_epoch_repeats(train_set):
    both = sample_digests(train_set, 2, True, epochs=(0, 1))
    ids = {sample_id for _, sample_id in both}
    # augmentation changes between epochs ...
    assert sum(both[(0, i)] != both[(1, i)] for i in ids) >= len(ids) - 1
    # ... and epoch 1 alone (a run resumed after epoch 0: new workers) is epoch 1
    resumed = sample_digests(train_set, 2, True, epochs=(1,))
    assert resumed == {key: value for key, value in both.items() if key[0] == 1}


def test_a_sample_is_the_same_on_any_rank_and_with_any_world_size(train_set):
    single = sample_digests(train_set, 0, False)
    ranks = {}
    for rank in (0, 1):
        ranks.update(sample_digests(train_set, 2, True, num_replicas=2, rank=rank))
    assert ranks == single


def test_seed_changes_the_augmentation(train_set):
    a = sample_digests(train_set, 0, False, epochs=(0,), seed=7)
    b = sample_digests(train_set, 0, False, epochs=(0,), seed=8)
    assert a.keys() == b.keys() and a != b


def test_sample_key_is_an_int_that_survives_pickling():
    key = SampleKey(5, epoch=3, seed=7)
    assert key == 5 and [10, 11, 12, 13, 14, 15][key] == 15
    copy = pickle.loads(pickle.dumps(key))
    assert isinstance(copy, SampleKey) and (int(copy), copy.epoch, copy.seed) == (5, 3, 7)
    assert sample_randomness.key_of(copy) == (7, 3, 5)
    assert sample_randomness.key_of(5) is None
    assert type(key + 1) is int  # arithmetic drops the key
    assert (str(key), repr(key), f'toy{key}') == ('5', '5', 'toy5')  # prints as the index


def test_views_draw_from_their_own_keys():
    """View i of MultiView is a function of (key, i): another view's draws
    (here: a pipeline with one more random step) do not shift it."""
    register_all_modules()
    image = np.random.default_rng(0).integers(0, 256, (40, 40, 3), dtype=np.uint8)

    def views(transforms, key=(7, 0, 3)):
        multi = TRANSFORMS.build(dict(type='MultiView', num_views=2, transforms=transforms))
        return multi(dict(img=image, sample_key=key))['img']

    crop = [dict(type='RandomCrop', size=24)]
    first, second = views(crop)
    assert not np.array_equal(first, second)  # two views, two crops
    again = views(crop)
    assert all(np.array_equal(a, b) for a, b in zip((first, second), again))
    other = views(crop, key=(7, 1, 3))  # next epoch
    assert not np.array_equal(other[0], first)
    # the crop of view 0 comes first in its own stream: the same as a single
    # RandomCrop on the sub-sample of view 0
    single = TRANSFORMS.build(crop[0])(sub_sample(dict(img=image, sample_key=(7, 0, 3)),
                                                  'view', 0))
    assert np.array_equal(single['img'], first)


def test_random_transforms_ignore_the_global_generators():
    register_all_modules()
    image = np.arange(40 * 40 * 3, dtype=np.uint8).reshape(40, 40, 3)
    crop = TRANSFORMS.build(dict(type='RandomCrop', size=16))
    flip = TRANSFORMS.build(dict(type='RandomFlip', prob=0.5))
    outputs = []
    for global_seed in (0, 1):
        np.random.seed(global_seed)
        torch.manual_seed(global_seed)
        import random
        random.seed(global_seed)
        results = flip(crop(dict(img=image, sample_key=(1, 2, 3))))
        outputs.append(results['img'])
    assert np.array_equal(*outputs)


def test_flip_probability_is_honoured_over_keys():
    register_all_modules()
    image = np.arange(8 * 8 * 3, dtype=np.uint8).reshape(8, 8, 3)
    flip = TRANSFORMS.build(dict(type='RandomFlip', prob=0.3))
    flipped = sum(not np.array_equal(flip(dict(img=image, sample_key=(0, 0, i)))['img'], image)
                  for i in range(2000))
    assert 0.26 < flipped / 2000 < 0.34


def test_without_a_key_the_draws_fall_back_with_one_warning(monkeypatch):
    logged = []
    monkeypatch.setattr(sample_randomness, 'print_log', lambda msg, **kw: logged.append(msg))
    monkeypatch.setattr(sample_randomness, '_warned_without_key', False)
    first, second = sample_rng({}), sample_rng({})
    assert isinstance(first, np.random.Generator) and first is not second
    assert len(logged) == 1 and 'without a sample key' in logged[0]


def test_seeded_from_sample_restores_the_global_state():
    import random
    results = dict(sample_key=(1, 2, 3))
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    expected = (random.random(), np.random.random(), torch.rand(1).item())
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    draws = []
    for _ in range(2):
        with sample_randomness.seeded_from_sample(results):
            draws.append((random.random(), np.random.random(), torch.rand(1).item()))
    assert draws[0] == draws[1]  # a function of the key
    assert (random.random(), np.random.random(), torch.rand(1).item()) == expected


def test_replacement_of_a_bad_sample_is_a_function_of_its_key(tmp_path, monkeypatch):
    """The sample that replaces an unloadable one (and its crops) do not
    depend on what the worker has seen before."""
    register_all_modules()
    cfg = Config.fromfile(CONFIG)
    dataset_cfg = cfg.train_dataloader.dataset
    dataset_cfg.update(data_root=str(tmp_path), num_samples=6)
    dataset = DATASETS.build(dataset_cfg)
    import os
    os.remove(osp.join(str(tmp_path), 'audio', 'train_00002.wav'))

    def fetch(ds, idx):
        data = ds[SampleKey(idx, epoch=4, seed=7)]
        return (data['data_samples'].sample_id, data['data_samples'].skipped_samples[0][0],
                hashlib.md5(data['inputs']['frames'].numpy().tobytes()).hexdigest())

    fresh = fetch(dataset, 2)
    assert fresh[1] == 'train_00002' and fresh[0] != 'train_00002'
    # a worker that has already failed on sample 2 (and others) returns the same
    warm = DATASETS.build(dataset_cfg)
    for idx in range(6):
        try:
            warm[SampleKey(idx, epoch=0, seed=7)]
        except Exception:  # noqa: BLE001
            pass
    assert 2 in warm._bad_samples
    assert fetch(warm, 2) == fresh
