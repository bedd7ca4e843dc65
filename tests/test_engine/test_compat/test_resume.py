"""Resume: a run killed with SIGKILL (mid-epoch, and again while a checkpoint
is being written) and resumed ends exactly where an uninterrupted run does;
a crash during validation; early stopping; which checkpoint auto-resume picks."""
import copy
import glob
import os
import os.path as osp
import subprocess
import sys
import uuid

import pytest
import torch
from mmengine.hooks import Hook

from sspl.engine.compat.resume import checkpoint_is_complete, find_resumable_checkpoint, \
    resolve_auto_resume
from sspl.engine.hooks import ResumableEarlyStoppingHook
from sspl.registry import HOOKS
from sspl.testing import (REPO_ROOT, assert_same_tree, dump_config, last_validation,
                          subprocess_env, tiny_train_config)
from sspl.utils import CheckpointError, safe_load

TRAIN = osp.join(REPO_ROOT, 'tools', 'train.py')


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    """The tiny synthetic dataset, generated once for the module."""
    from sspl.datasets import SyntheticAVDataset
    root = str(tmp_path_factory.mktemp('synthetic'))
    for split, num in (('train', 8), ('val', 4)):
        SyntheticAVDataset(data_root=root, split=split, num_samples=num, pipeline=[])
    return root


def train_in_process(cfg):
    """``Runner.from_cfg(cfg).train()`` with one thread (as the subprocesses)
    and the global torch settings restored afterwards; returns the runner."""
    from mmengine.runner import Runner
    cfg = copy.deepcopy(cfg)
    # unique names: mmengine keeps visualizers and message hubs per name in the process
    cfg.experiment_name = f'test_{uuid.uuid4().hex[:8]}'
    cfg.visualizer.name = cfg.experiment_name
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    try:
        runner = Runner.from_cfg(cfg)
        runner.train()
        return runner
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)


def train_tool_in_process(load_tool, argv):
    """``tools/train.py`` ``main(argv)`` in this process (one thread);
    ``load_tool`` is the fixture that imports the script."""
    module = load_tool('tools/train.py')
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    local_rank = os.environ.get('LOCAL_RANK')
    torch.set_num_threads(1)
    try:
        module.main(argv)
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)
        if local_rank is None:
            os.environ.pop('LOCAL_RANK', None)


def run_train(config, work_dir, *extra):
    return subprocess.run([sys.executable, TRAIN, config, '--work-dir', work_dir, *extra],
                          cwd=REPO_ROOT, env=subprocess_env(), capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow  # training subprocesses through tools/ (tens of seconds)
def test_sigkill_mid_epoch_and_during_save_then_resume_matches_uninterrupted(
        tmp_path, data_root, load_tool):
    cfg = tiny_train_config(str(tmp_path / 'reference'), data_root, max_epochs=2)
    reference = train_in_process(cfg).work_dir

    work_dir = str(tmp_path / 'interrupted')
    # 1. SIGKILL right after iteration 3 of 4: in the middle of epoch 2.
    run = run_train(dump_config(cfg, str(tmp_path / 'kill_mid_epoch.py'),
                                dict(kill_at_iter=3)), work_dir)
    assert run.returncode == -9, run.stderr[-3000:]
    assert checkpoint_is_complete(osp.join(work_dir, 'epoch_1.pth'))
    assert not osp.exists(osp.join(work_dir, 'epoch_2.pth'))

    # 2. Resume; SIGKILL when half of epoch_2.pth is on disk (max_keep_ckpts=1:
    #    the stock hook would already have deleted epoch_1.pth).
    run = run_train(dump_config(cfg, str(tmp_path / 'kill_in_save.py'),
                                dict(kill_during_save='epoch_2.pth')), work_dir, '--resume')
    assert run.returncode == -9, run.stderr[-3000:]
    assert 'resumed epoch: 1, iter: 2' in run.stdout + run.stderr
    partial = osp.join(work_dir, 'epoch_2.pth.tmp')
    assert osp.getsize(partial) > 0 and not checkpoint_is_complete(partial)
    assert not osp.exists(osp.join(work_dir, 'epoch_2.pth'))
    previous = osp.join(work_dir, 'epoch_1.pth')
    assert safe_load(previous)['meta']['epoch'] == 1  # intact and loadable
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read() == previous

    # 3. Resume again (tools/train.py in this process): finishes, removes the partial file.
    train_tool_in_process(load_tool, [
        dump_config(cfg, str(tmp_path / 'plain.py')), '--work-dir', work_dir,
        '--resume', '--cfg-options', f'visualizer.name={uuid.uuid4().hex}'])
    assert not osp.exists(partial)
    logs = sorted(glob.glob(osp.join(work_dir, '*', '*.log')))
    with open(logs[-1]) as f:
        assert f'Removed {partial}' in f.read()

    final, expected = (safe_load(osp.join(d, 'epoch_2.pth')) for d in (work_dir, reference))
    assert_same_tree(final['state_dict'], expected['state_dict'], 'state_dict')
    assert_same_tree(final['optimizer'], expected['optimizer'], 'optimizer')
    assert final['meta']['epoch'] == expected['meta']['epoch'] == 2
    assert final['meta']['iter'] == expected['meta']['iter'] == 4
    assert (final['message_hub']['runtime_info']['best_score']
            == expected['message_hub']['runtime_info']['best_score'])
    assert last_validation(work_dir, 2) == last_validation(reference, 2)
    assert torch.serialization.get_unsafe_globals_in_checkpoint(
        osp.join(work_dir, 'epoch_2.pth')) == []


class SimulatedCrash(RuntimeError):
    pass


@HOOKS.register_module(name='TestCrashBeforeValidation', force=True)
class CrashBeforeValidation(Hook):
    """Raise when the validation after epoch ``epoch`` starts."""

    def __init__(self, epoch):
        self.epoch = epoch

    def before_val_epoch(self, runner):
        if runner.epoch == self.epoch:
            raise SimulatedCrash(f'crash during the validation of epoch {self.epoch}')


def _early_stopping_state(runner):
    hook, = [h for h in runner.hooks if isinstance(h, ResumableEarlyStoppingHook)]
    return hook.best_score, hook.wait_count, hook.stopped_epoch


def test_crash_during_validation_then_resume_keeps_best_and_early_stopping(tmp_path, data_root):
    cfg = tiny_train_config(str(tmp_path / 'reference'), data_root, max_epochs=3)
    # min_delta=1 never counts as an improvement after the first validation:
    # patience 1 stops the run after epoch 2 of 3.
    cfg.default_hooks.early_stopping = dict(type='ResumableEarlyStoppingHook',
                                            monitor='mean_cIoU', rule='greater', min_delta=1.0,
                                            patience=1)
    reference = train_in_process(cfg)
    assert reference.epoch == 2
    expected_state = _early_stopping_state(reference)
    assert expected_state[1:] == (1, 2)

    crashing = copy.deepcopy(cfg)
    crashing.work_dir = str(tmp_path / 'interrupted')
    crashing.custom_hooks = list(crashing.custom_hooks) + [
        dict(type='TestCrashBeforeValidation', epoch=2)]
    with pytest.raises(SimulatedCrash):
        train_in_process(crashing)

    resumed_cfg = copy.deepcopy(cfg)
    resumed_cfg.work_dir = crashing.work_dir
    resumed_cfg.resume = True
    resolve_auto_resume(resumed_cfg)
    assert resumed_cfg.load_from == osp.join(crashing.work_dir, 'epoch_2.pth')
    resumed = train_in_process(resumed_cfg)
    # the validation of epoch 2 ran first; early stopping then stopped where the
    # uninterrupted run stopped (without either fix the run goes on to epoch 3)
    assert resumed.epoch == 2
    assert _early_stopping_state(resumed) == expected_state
    best_score = reference.message_hub.get_info('best_score')
    assert resumed.message_hub.get_info('best_score') == best_score
    assert resumed.message_hub.get_info('last_val_epoch') == 2
    final, expected = (safe_load(osp.join(r.work_dir, 'epoch_2.pth')) for r in (resumed, reference))
    assert_same_tree(final['state_dict'], expected['state_dict'], 'state_dict')
    assert last_validation(resumed.work_dir, 2) == last_validation(reference.work_dir, 2)


def test_resuming_a_run_that_stopped_early_trains_nothing(tmp_path, data_root):
    cfg = tiny_train_config(str(tmp_path / 'run'), data_root, max_epochs=3)
    cfg.default_hooks.early_stopping = dict(type='ResumableEarlyStoppingHook',
                                            monitor='mean_cIoU', rule='greater', min_delta=-10.0,
                                            stopping_threshold=-1.0)  # stops after epoch 1
    first = train_in_process(cfg)
    assert first.epoch == 1
    cfg.resume = True
    resolve_auto_resume(cfg)
    again = train_in_process(cfg)
    assert again.epoch == 1 and again.iter == first.iter


# -- which checkpoint auto-resume uses ----------------------------------------


def _save(path, epoch):
    torch.save({'meta': {'epoch': epoch}, 'state_dict': {'w': torch.zeros(2)}}, path)


def test_auto_resume_without_checkpoint_starts_fresh_and_says_so(tmp_path, monkeypatch):
    import sspl.engine.compat.resume as resume_module
    logged = []
    monkeypatch.setattr(resume_module, 'print_log', lambda msg, **kw: logged.append(msg))
    from mmengine.config import Config
    cfg = Config(dict(work_dir=str(tmp_path), resume=True, load_from=None))
    resolve_auto_resume(cfg)
    assert cfg.resume is False and cfg.load_from is None
    assert logged == [f'Auto-resume: no checkpoint in {tmp_path}; training starts from scratch.']


def test_auto_resume_skips_a_damaged_latest_checkpoint(tmp_path, monkeypatch):
    import sspl.engine.compat.resume as resume_module
    monkeypatch.setattr(resume_module, 'print_log', lambda msg, **kw: None)
    for epoch in (1, 2, 3):
        _save(tmp_path / f'epoch_{epoch}.pth', epoch)
    with open(tmp_path / 'epoch_3.pth', 'r+b') as f:  # damaged outside sspl
        f.truncate(100)
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_3.pth'))
    assert find_resumable_checkpoint(str(tmp_path)) == str(tmp_path / 'epoch_2.pth')
    os.remove(tmp_path / 'epoch_2.pth')
    os.remove(tmp_path / 'epoch_1.pth')
    with pytest.raises(CheckpointError, match='no complete checkpoint to resume from'):
        find_resumable_checkpoint(str(tmp_path))
