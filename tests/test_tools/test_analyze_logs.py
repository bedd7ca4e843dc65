"""tools/analysis/analyze_logs.py: curves from mmengine's vis_data/scalars.json."""
import json
import os.path as osp

import pytest
from PIL import Image


def write_run(work_dir, timestamp, epochs, iters_per_epoch=3):
    """A scalars.json as LoggerHook writes it: train lines per iteration, one
    val line per epoch (step = epoch)."""
    folder = work_dir / timestamp / 'vis_data'
    folder.mkdir(parents=True)
    lines, iteration = [], 0
    for epoch in range(1, epochs + 1):
        for _ in range(iters_per_epoch):
            iteration += 1
            lines.append(dict(lr=1e-3, loss=-0.1 * iteration, time=1.0, epoch=epoch,
                              iter=iteration, step=iteration))
        lines.append({'cIoU': 0.1 * epoch, 'AUC': 0.05 * epoch, 'mean_cIoU': 0.2,
                      'cIoU_median': 0.07 * epoch, 'AUC_median': 0.04, 'time': 0.5,
                      'step': epoch})
    (folder / 'scalars.json').write_text('\n'.join(json.dumps(line) for line in lines) + '\n')
    return folder / 'scalars.json'


def test_latest_run_is_plotted(tmp_path, load_tool):
    tool = load_tool('tools/analysis/analyze_logs.py')
    write_run(tmp_path, '20250101_000000', epochs=1)
    latest = write_run(tmp_path, '20250102_000000', epochs=3)
    assert tool.find_scalars(str(tmp_path)) == str(latest)
    train, val = tool.read_scalars(str(latest), ['loss'], list(tool.DEFAULT_VAL_KEYS))
    assert [step for step, _ in train['loss']] == list(range(1, 10))
    assert val['cIoU'] == [(1, pytest.approx(0.1)), (2, pytest.approx(0.2)),
                           (3, pytest.approx(0.3))]
    assert set(val) == {'cIoU', 'AUC', 'mean_cIoU', 'cIoU_median', 'AUC_median'}
    out = tool.main([str(tmp_path), '--out', str(tmp_path / 'curves.png')])
    with Image.open(out) as image:
        assert image.format == 'PNG' and image.size == (1100, 400)


def test_default_output_and_explicit_run(tmp_path, load_tool):
    tool = load_tool('tools/analysis/analyze_logs.py')
    write_run(tmp_path, '20250101_000000', epochs=2)
    write_run(tmp_path, '20250102_000000', epochs=1)
    out = tool.main([str(tmp_path), '--run', '20250101_000000'])
    assert out == str(tmp_path / '20250101_000000' / 'curves.png') and osp.isfile(out)


def test_missing_or_broken_logs_are_clear_errors(tmp_path, load_tool):
    tool = load_tool('tools/analysis/analyze_logs.py')
    with pytest.raises(FileNotFoundError, match='scalars.json'):
        tool.main([str(tmp_path)])
    broken = tmp_path / 'scalars.json'
    broken.write_text('{"loss": 1, "step": 1}\nnot json\n')
    with pytest.raises(ValueError, match='line 2: not JSON'):
        tool.main([str(broken)])
