"""A checkpoint that carries a pickled callable is refused, with a clear
message and no side effect, by every place that loads checkpoints or weights."""
import os
import os.path as osp
import uuid

import pytest
import torch

from sspl.testing.reliability import REPO_ROOT, dump_config, tiny_train_config
from sspl.utils import CheckpointError, safe_load


class Exploit:
    """Unpickling this runs ``touch <marker>`` (the classic ``__reduce__`` attack)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


@pytest.fixture
def malicious(tmp_path):
    """A checkpoint-shaped file (state dict + meta) whose meta runs a command
    when unpickled; returns ``(path, marker)``: the marker must never appear."""
    marker = tmp_path / f'pwned_{uuid.uuid4().hex}'
    path = tmp_path / 'malicious.pth'
    torch.save({'state_dict': {'w': torch.zeros(2)}, 'meta': {'note': Exploit(marker)}}, path)
    # the file really is dangerous: plain pickle loading runs the command
    torch.load(path, weights_only=False)
    assert marker.exists()
    marker.unlink()
    return str(path), marker


REFUSED = r'malicious\.pth: refused to load: the file holds objects that are not plain'


@pytest.fixture
def tool_config(tmp_path, monkeypatch):
    monkeypatch.delenv('LOCAL_RANK', raising=False)
    cfg = tiny_train_config(str(tmp_path), str(tmp_path / 'data'))
    cfg.visualizer.name = uuid.uuid4().hex
    return dump_config(cfg, str(tmp_path / 'config.py'))


def test_safe_load(malicious):
    path, marker = malicious
    with pytest.raises(CheckpointError, match=REFUSED):
        safe_load(path)
    assert not marker.exists()


def test_train_resume(malicious, tool_config, tmp_path, load_tool):
    path, marker = malicious
    with pytest.raises(CheckpointError, match=REFUSED):
        load_tool('tools/train.py').main([tool_config, '--work-dir', str(tmp_path / 'w'),
                                          '--resume', path])
    assert not marker.exists()


def test_test_tool(malicious, tool_config, tmp_path, load_tool):
    path, marker = malicious
    with pytest.raises(CheckpointError, match=REFUSED):
        load_tool('tools/test.py').main([tool_config, path, '--work-dir', str(tmp_path / 'w')])
    assert not marker.exists()


def test_converter(malicious, tmp_path, capsys, load_tool):
    path, marker = malicious
    out = tmp_path / 'converted.pth'
    converter = load_tool('tools/model_converters/sspl_to_mmengine.py')
    assert converter.main(['--frame', path, '--sound', path, '--ssl-head', path,
                           '--out', str(out)]) == 1
    assert 'malicious.pth: refused to load' in capsys.readouterr().err
    assert not marker.exists() and not out.exists()


def test_init_localizer(malicious):
    from sspl.apis import init_localizer
    path, marker = malicious
    config = osp.join(REPO_ROOT, 'configs', 'sspl_w_pcm_synthetic.py')
    with pytest.raises(CheckpointError, match=REFUSED):
        init_localizer(config, path)
    assert not marker.exists()


@pytest.mark.parametrize('backbone', ['VGG16', 'VGGish'])
def test_pretrained_backbone_weights(malicious, backbone):
    from sspl.registry import MODELS
    path, marker = malicious
    model = MODELS.build(dict(type=backbone, pretrained=path, width_mult=0.125))
    with pytest.raises(CheckpointError, match=REFUSED):
        model.init_weights()
    assert not marker.exists()


def test_mmengine_checkpoint_api(malicious):
    """``mmengine.runner.load_checkpoint`` (also behind ``init_cfg=dict(type='Pretrained')``)."""
    from mmengine.runner import load_checkpoint

    from sspl.engine.compat import install_safe_checkpoint_loader
    install_safe_checkpoint_loader()  # as tools/train.py and tools/test.py do
    path, marker = malicious
    with pytest.raises(CheckpointError, match=REFUSED):
        load_checkpoint(torch.nn.Linear(2, 2), path)
    assert not marker.exists()
