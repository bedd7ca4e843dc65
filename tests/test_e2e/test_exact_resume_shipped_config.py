"""The shipped synthetic config with its own dataloader settings (2 workers,
persistent, batches of 32), run the way a user runs it (tools/train.py,
--cfg-options only to shrink the dataset): killed with SIGKILL mid-epoch 2 and
resumed, it ends with the uninterrupted run's weights, optimizer state and
validation figures; with 0 workers instead of 2 it trains the same weights."""
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from sspl.engine.compat.resume import checkpoint_is_complete
from sspl.testing import (REPO_ROOT, SYNTHETIC_CONFIG, assert_same_tree as assert_same_tensors,
                          dump_config, last_validation as validation, subprocess_env)
from sspl.utils import safe_load

TRAIN = osp.join(REPO_ROOT, 'tools', 'train.py')
# 64 training clips: two batches of the config's 32 per epoch; one validation batch
NUM_TRAIN, NUM_VAL = 64, 32

pytestmark = pytest.mark.slow


def shrink_options(data_root: str, *extra: str) -> list:
    """What a user passes to try the config quickly: smaller splits, 2 epochs,
    a fixed seed, deterministic mode; no pretrained backbone file needed."""
    return ['--cfg-options', 'train_cfg.max_epochs=2', 'randomness.seed=7',
            'randomness.deterministic=True', 'model.visual_backbone.pretrained=None',
            f'train_dataloader.dataset.data_root={data_root}',
            f'train_dataloader.dataset.num_samples={NUM_TRAIN}',
            f'val_dataloader.dataset.data_root={data_root}',
            f'val_dataloader.dataset.num_samples={NUM_VAL}', *extra]


def train(config: str, work_dir: str, data_root: str, *args: str, options=()):
    return subprocess.run(
        ['nice', sys.executable, TRAIN, config, '--work-dir', work_dir, *args,
         *shrink_options(data_root, *options)],
        cwd=REPO_ROOT, env=subprocess_env(), capture_output=True, text=True, timeout=900)


@pytest.fixture(scope='module')
def shipped():
    cfg = Config.fromfile(SYNTHETIC_CONFIG)
    loader = cfg.train_dataloader
    # what the guarantee is checked with: the config's own dataloader settings
    assert (loader.num_workers, loader.persistent_workers, loader.batch_size) == (2, True, 32)
    assert loader.sampler.type == 'KeyedSampler'
    return cfg


@pytest.fixture(scope='module')
def straight_run(tmp_path_factory, shipped):
    """The uninterrupted run: (work_dir, data_root)."""
    root = tmp_path_factory.mktemp('shipped')
    data_root, work_dir = str(root / 'data'), str(root / 'straight')
    run = train(SYNTHETIC_CONFIG, work_dir, data_root)
    assert run.returncode == 0, run.stderr[-3000:]
    return work_dir, data_root


def test_killed_mid_epoch_2_and_resumed_ends_as_the_uninterrupted_run(
        tmp_path, shipped, straight_run):
    reference, data_root = straight_run
    work_dir = str(tmp_path / 'interrupted')
    # SIGKILL right after iteration 3 of 4: the first batch of epoch 2 is
    # trained, the second is being loaded by the persistent workers.
    killing = dump_config(shipped, str(tmp_path / 'shipped_killed_at_iter_3.py'),
                          dict(kill_at_iter=3))
    run = train(killing, work_dir, data_root)
    assert run.returncode == -9, run.stderr[-3000:]
    assert checkpoint_is_complete(osp.join(work_dir, 'epoch_1.pth'))
    assert not osp.exists(osp.join(work_dir, 'epoch_2.pth'))

    run = train(SYNTHETIC_CONFIG, work_dir, data_root, '--resume')
    assert run.returncode == 0, run.stderr[-3000:]
    assert 'resumed epoch: 1, iter: 2' in run.stdout + run.stderr

    final, expected = (safe_load(osp.join(d, 'epoch_2.pth')) for d in (work_dir, reference))
    assert_same_tensors(final['state_dict'], expected['state_dict'], 'state_dict')
    assert_same_tensors(final['optimizer'], expected['optimizer'], 'optimizer')
    assert final['meta']['iter'] == expected['meta']['iter'] == 4
    for epoch in (1, 2):
        assert validation(work_dir, epoch) == validation(reference, epoch), epoch


def test_no_workers_trains_the_same_weights_as_two_persistent_workers(
        tmp_path, shipped, straight_run):
    reference, data_root = straight_run
    # epoch 1 of the 2-epoch run is a 1-epoch run: the learning rates are constant
    assert shipped.param_scheduler == []
    work_dir = str(tmp_path / 'no_workers')
    run = train(SYNTHETIC_CONFIG, work_dir, data_root, options=(
        'train_cfg.max_epochs=1', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False'))
    assert run.returncode == 0, run.stderr[-3000:]
    final, expected = (safe_load(osp.join(work_dir, 'epoch_1.pth')),
                       safe_load(osp.join(reference, 'epoch_1.pth')))
    assert_same_tensors(final['state_dict'], expected['state_dict'], 'state_dict')
    assert_same_tensors(final['optimizer'], expected['optimizer'], 'optimizer')
    assert validation(work_dir, 1) == validation(reference, 1)
