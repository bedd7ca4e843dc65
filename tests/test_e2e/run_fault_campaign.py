#!/usr/bin/env python
"""Fault-injection campaign: kill (SIGKILL) or break ``tools/train.py`` at
each dangerous moment, resume, and compare with an uninterrupted run.

    python tests/test_e2e/run_fault_campaign.py [--out DIR]

Not a pytest test (it takes minutes: two training subprocesses per fault);
``test_resume.py``, ``test_atomic_io.py`` and ``test_atomic_checkpoint_hook.py``
cover the same cases quickly. Prints a Markdown table: fault | what happened | data lost.
Training: the tiny synthetic config (8 clips, 2 iterations per epoch, 3
epochs, deterministic, one latest checkpoint kept, best by mean_cIoU).
"""
import argparse
import glob
import json
import os.path as osp
import shutil
import subprocess
import sys
import tempfile

import torch

from sspl.testing import REPO_ROOT, dump_config, subprocess_env, tiny_train_config

TRAIN = osp.join(REPO_ROOT, 'tools', 'train.py')

FAULTS = [
    ('SIGKILL in epoch 1 (no checkpoint yet)', dict(kill_at_iter=1)),
    ('SIGKILL mid-epoch 2 (iteration 3 of 6)', dict(kill_at_iter=3)),
    ('SIGKILL while writing epoch_2.pth', dict(kill_during_save='epoch_2.pth')),
    ('SIGKILL while writing best_mean_cIoU_epoch_1.pth',
     dict(kill_during_save='best_mean_cIoU_epoch_1.pth')),
    ('SIGKILL while writing the last_checkpoint pointer (epoch 2)',
     dict(kill_during_save='last_checkpoint', kill_after_epoch=1)),
    ('SIGKILL during the validation of epoch 2', dict(kill_during_validation=2)),
    ('disk full (ENOSPC) while writing epoch_2.pth', dict(disk_full_during_save='epoch_2.pth')),
]


def run(config, work_dir, *extra):
    return subprocess.run([sys.executable, TRAIN, config, '--work-dir', work_dir, *extra],
                          cwd=REPO_ROOT, env=subprocess_env(), capture_output=True, text=True,
                          timeout=600)


def complete_checkpoints(work_dir):
    from sspl.engine.compat.resume import checkpoint_is_complete
    return sorted(osp.basename(p) for p in glob.glob(osp.join(work_dir, '*.pth'))
                  if checkpoint_is_complete(p))


def final_state(work_dir):
    from sspl.utils import safe_load
    checkpoint = safe_load(osp.join(work_dir, 'epoch_3.pth'))
    results = sorted(glob.glob(osp.join(work_dir, '*', 'per_sample', 'val_epoch_3.json')))
    with open(results[-1]) as f:
        per_sample = json.load(f)
    hub = checkpoint['message_hub']['runtime_info']
    return dict(state_dict=checkpoint['state_dict'], optimizer=checkpoint['optimizer'],
                best_score=hub.get('best_score'), best_ckpt=osp.basename(hub.get('best_ckpt', '')),
                metrics=per_sample['metrics'], samples=per_sample['samples'])


def same(a, b):
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and torch.equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', help='keep the work dirs here (default: a temporary folder)')
    args = parser.parse_args()
    root = args.out or tempfile.mkdtemp(prefix='sspl_faults_')
    from sspl.utils import register_all_modules
    register_all_modules()
    from sspl.datasets import SyntheticAVDataset
    data_root = osp.join(root, 'data')
    for split, num in (('train', 8), ('val', 4)):
        SyntheticAVDataset(data_root=data_root, split=split, num_samples=num, pipeline=[])
    cfg = tiny_train_config(root, data_root, max_epochs=3)
    cfg.default_hooks.checkpoint.save_best = 'mean_cIoU'

    reference_dir = osp.join(root, 'reference')
    done = run(dump_config(cfg, osp.join(root, 'reference.py')), reference_dir)
    assert done.returncode == 0, done.stderr[-2000:]
    reference = final_state(reference_dir)

    rows = []
    for index, (name, fault) in enumerate(FAULTS):
        work_dir = osp.join(root, f'fault_{index}')
        fault = dict(fault)
        after_epoch = fault.pop('kill_after_epoch', None)
        if after_epoch is not None:  # first train cleanly up to that epoch
            pre = tiny_train_config(root, data_root, max_epochs=after_epoch)
            pre.default_hooks.checkpoint.save_best = 'mean_cIoU'
            run(dump_config(pre, osp.join(root, f'pre_{index}.py')), work_dir)
        faulty = run(dump_config(cfg, osp.join(root, f'fault_{index}.py'), fault), work_dir,
                     *(['--resume'] if after_epoch is not None else []))
        after_fault = complete_checkpoints(work_dir)
        leftovers = sorted(osp.basename(p) for p in glob.glob(osp.join(work_dir, '*.tmp')))
        error = ''
        if faulty.returncode not in (0, -9):
            error = [line for line in faulty.stderr.splitlines() if 'Error' in line][-1:]
            error = error[0].strip() if error else f'exit {faulty.returncode}'
        resumed = run(dump_config(cfg, osp.join(root, f'resume_{index}.py')), work_dir, '--resume')
        ok = resumed.returncode == 0
        identical = ok and same(final_state(work_dir), reference)
        what = (('killed (SIGKILL)' if faulty.returncode == -9 else error)
                + f'; complete checkpoints left: {", ".join(after_fault) or "none"}'
                + (f'; partial file {", ".join(leftovers)} (removed on resume)'
                   if leftovers else '')
                + ('; resumed to the end, final weights, optimizer, best score and '
                   'per-sample validation identical to the uninterrupted run' if identical else
                   f'; RESUME {"FAILED" if not ok else "DIFFERS"}'))
        rows.append((name, what, 'none' if identical else 'SEE WHAT HAPPENED'))
        print(f'{name}: {what}', flush=True)
        if not args.out:
            shutil.rmtree(work_dir, ignore_errors=True)

    print('\n| fault | what happened | data lost |\n|---|---|---|')
    for row in rows:
        print('| ' + ' | '.join(row) + ' |')
    if not args.out:
        shutil.rmtree(root, ignore_errors=True)
    return 0 if all(row[2] == 'none' for row in rows) else 1


if __name__ == '__main__':
    sys.exit(main())
