"""The tools refuse a checkpoint that carries a pickled callable (the
``malicious`` fixture), with a clear message and no side effect:
``tools/train.py --resume``, ``tools/test.py`` and the SSPL converter.
(The whole list: tests/test_utils/test_safe_loading.py.)"""
import uuid

import pytest

from sspl.testing import MALICIOUS_REFUSED as REFUSED, dump_config, tiny_train_config
from sspl.utils import CheckpointError


@pytest.fixture
def tool_config(tmp_path, monkeypatch):
    monkeypatch.delenv('LOCAL_RANK', raising=False)
    cfg = tiny_train_config(str(tmp_path), str(tmp_path / 'data'))
    cfg.visualizer.name = uuid.uuid4().hex
    return dump_config(cfg, str(tmp_path / 'config.py'))


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
