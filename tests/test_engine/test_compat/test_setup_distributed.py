"""sspl.engine.compat.dist.setup_distributed on a machine without CUDA (gloo)."""
import pytest
import torch
from mmengine.config import Config

from sspl.engine.compat import dist as sspl_dist


@pytest.fixture
def cpu_rank(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setenv('RANK', '0')
    monkeypatch.setattr(sspl_dist.dist, 'is_initialized', lambda: True)  # no real group


def test_gloo_ddp_on_cpu_drops_sync_bn_with_a_warning(cpu_rank, monkeypatch):
    messages = []
    monkeypatch.setattr(sspl_dist, 'print_log', lambda msg, **kwargs: messages.append(msg))
    cfg = Config(dict(sync_bn='torch'))
    sspl_dist.setup_distributed(cfg, 'pytorch')
    assert cfg.sync_bn is None
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    assert cfg.model_wrapper_cfg.device_ids is None
    assert len(messages) == 1 and "sync_bn='torch' ignored" in messages[0]


def test_launcher_without_torchrun_environment_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.delenv('RANK', raising=False)
    with pytest.raises(RuntimeError, match='tools/dist_train.sh or torchrun'):
        sspl_dist.setup_distributed(Config(dict()), 'pytorch')


def test_gloo_replaces_the_configs_backend_and_keeps_the_rest(cpu_rank):
    cfg = Config(dict(env_cfg=dict(cudnn_benchmark=False,
                                   dist_cfg=dict(backend='nccl', timeout=600))))
    sspl_dist.setup_distributed(cfg, 'pytorch')
    assert cfg.env_cfg.dist_cfg == dict(backend='gloo', timeout=600)
    assert cfg.env_cfg.cudnn_benchmark is False


def test_gloo_process_group_gets_the_configs_collective_timeout(monkeypatch):
    import datetime
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setenv('RANK', '0')
    monkeypatch.setattr(sspl_dist.dist, 'is_initialized', lambda: False)
    calls = []
    monkeypatch.setattr(sspl_dist.dist, 'init_process_group',
                        lambda **kwargs: calls.append(kwargs))
    sspl_dist.setup_distributed(Config(dict(env_cfg=dict(dist_cfg=dict(timeout=90)))), 'pytorch')
    sspl_dist.setup_distributed(Config(dict()), 'pytorch')
    assert calls == [dict(backend='gloo', timeout=datetime.timedelta(seconds=90)),
                     dict(backend='gloo')]
