"""tools/train.py, tools/test.py and tools/dist_train.sh on the synthetic config,
shrunk through --cfg-options (the way a user would)."""
import glob
import json
import os
import os.path as osp
import re
import subprocess
import sys

import pytest

from sspl.testing import REPO_ROOT, free_port, loader_options
from sspl.testing import run_command as run

CONFIG = osp.join(REPO_ROOT, 'configs', 'sspl_w_pcm_synthetic.py')


def tiny_options(data_root: str, epochs: int = 2) -> list:
    """--cfg-options that shrink configs/sspl_w_pcm_synthetic.py to seconds:
    8 training clips, 4 validation and 4 test clips, no workers, random init."""
    options = [f'train_cfg.max_epochs={epochs}',
               'model.visual_backbone.pretrained=None',
               'default_hooks.logger.interval=1',
               'randomness.seed=3']
    return options + loader_options((('train', 8), ('val', 4), ('test', 4)), data_root)


@pytest.mark.slow  # training subprocesses through tools/ (tens of seconds)
def test_train_then_test_reproduces_best_validation(tmp_path):
    """train.py keeps best_cIoU_epoch_N.pth; test.py of that checkpoint on the
    validation split gives back the validation figures of epoch N."""
    work_dir = str(tmp_path / 'work')
    data_root = str(tmp_path / 'data')
    run([sys.executable, 'tools/train.py', CONFIG, '--work-dir', work_dir,
         '--cfg-options'] + tiny_options(data_root, epochs=3))
    best = glob.glob(osp.join(work_dir, 'best_cIoU_epoch_*.pth'))
    assert len(best) == 1, best
    epoch = int(re.search(r'epoch_(\d+)', best[0]).group(1))
    with open(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))[0]) as f:
        val_records = [json.loads(line) for line in f if '"cIoU"' in line]
    assert len(val_records) == 3
    record = val_records[epoch - 1]
    assert record['cIoU'] == max(r['cIoU'] for r in val_records)

    out = run([sys.executable, 'tools/test.py', CONFIG, best[0], '--work-dir',
               str(tmp_path / 'test'), '--cfg-options'] + tiny_options(data_root) +
              ['test_dataloader.dataset.split=val'])
    assert 'Test results of' in out and 'per-sample results:' in out
    per_sample = glob.glob(str(tmp_path / 'test' / '*' / 'per_sample' / 'test.json'))
    assert len(per_sample) == 1
    with open(per_sample[0]) as f:
        tested = json.load(f)['metrics']
    for key in ('cIoU', 'AUC', 'mean_cIoU', 'cIoU_median', 'AUC_median', 'mean_cIoU_median'):
        assert tested[key] == pytest.approx(record[key], abs=1e-6), key


@pytest.mark.slow  # training subprocesses through tools/ (tens of seconds)
def test_dist_train_two_gloo_processes_on_cpu(tmp_path):
    """bash tools/dist_train.sh CONFIG 2 trains with two processes (gloo) on the CPU."""
    work_dir = str(tmp_path / 'work')
    data_root = str(tmp_path / 'data')
    # Both ranks generate the (absent) synthetic split at once: per-process
    # temporary files keep their writes from colliding.
    run(['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir', work_dir,
               '--cfg-options'] + tiny_options(data_root, epochs=1),
              env_extra=dict(PORT=str(free_port()), PYTHON=sys.executable))
    log = open(glob.glob(osp.join(work_dir, '*', '*.log'))[0]).read()
    assert 'Distributed launcher: pytorch' in log and 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    assert "dist_cfg: {'backend': 'gloo', 'timeout': 1800}" in log
    # 8 clips over 2 ranks with batch 4: one iteration per rank and epoch.
    assert re.search(r'Epoch\(train\) \[1\]\[1/1\]', log), log[-2000:]
    assert osp.exists(osp.join(work_dir, 'epoch_1.pth'))
    assert 'Epoch(val) [1]' in log


def test_test_tool_refuses_checkpoint_of_another_variant(tmp_path):
    """A w/o PCM checkpoint given to the w/ PCM config is an error naming the
    file and the missing keys, not an evaluation of a half-random model
    (mmengine's load_from would only warn)."""
    import torch
    from mmengine.config import Config

    from sspl.registry import MODELS
    from sspl.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'sspl_wo_pcm_synthetic.py'))
    cfg.model.visual_backbone.pretrained = None
    model = MODELS.build(cfg.model)
    checkpoint = str(tmp_path / 'wo_pcm.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), checkpoint)
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    result = subprocess.run(
        [sys.executable, 'tools/test.py', CONFIG, checkpoint, '--work-dir', str(tmp_path / 'w'),
         '--cfg-options'] + tiny_options(str(tmp_path / 'data')),
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
    assert f'{checkpoint}: does not fit the SSPL model of the config' in result.stderr
    assert 'missing keys [neck.' in result.stderr
    assert 'Test results of' not in result.stdout


def test_show_dir_reaches_a_config_without_default_hooks(load_tool):
    from mmengine.config import Config
    test_tool = load_tool('tools/test.py')
    args = test_tool.parse_args(['config.py', 'model.pth', '--show-dir', 'overlays'])
    cfg = test_tool.merge_args(Config(dict(work_dir='w')), args)
    assert cfg.default_hooks.visualization == dict(
        type='LocalizationVisualizationHook', enable=True, test_out_dir='overlays')
    assert cfg.load_from is None  # loaded strictly by main() instead
