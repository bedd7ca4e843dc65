"""``tools/train.py --amp`` picks the bf16 optim wrapper on a CPU."""
import os.path as osp

import pytest
import torch

pytestmark = pytest.mark.usefixtures('one_thread')  # (tests/conftest.py)


def test_train_tool_amp_flag_picks_bf16_on_cpu(repo_root, monkeypatch, load_tool):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    train_tool = load_tool('tools/train.py')
    from mmengine.config import Config
    config = osp.join(repo_root, 'configs', 'sspl_w_pcm_synthetic.py')
    args = train_tool.parse_args([config, '--amp', '--work-dir', 'unused'])
    cfg = train_tool.merge_args(Config.fromfile(config), args)
    assert cfg.optim_wrapper.type == 'BF16OptimWrapper'
    assert cfg.optim_wrapper.constructor == 'TrainableParamsOptimWrapperConstructor'
