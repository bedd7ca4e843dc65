"""LocalizationVisualizer (overlay PNGs, backends) and
LocalizationVisualizationHook (val overlays, --show-dir PNGs)."""
import os.path as osp
import uuid
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from sspl.engine.hooks import LocalizationVisualizationHook
from sspl.registry import VISUALIZERS
from sspl.structures import LocalizationDataSample
from sspl.visualization import LocalizationVisualizer, heatmap_to_rgb, overlay_heatmap

PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


def make_visualizer(**kwargs):
    return VISUALIZERS.build(dict(type='LocalizationVisualizer',
                                  name=f'vis_{uuid.uuid4().hex}', **kwargs))


def make_sample(sample_id='clip/001', size=(96, 128)):
    """A map peaked at the top-left quarter and a box there, at ``size`` (H, W)."""
    sim_map = torch.zeros(14, 14)
    sim_map[:5, :5] = 1.0
    data_sample = LocalizationDataSample()
    height, width = size
    box = np.array([[0, 0, width // 2, height // 2]], dtype=np.float64)
    gt_map = torch.zeros(height, width)
    gt_map[:height // 2, :width // 2] = 1
    data_sample.set_metainfo(dict(sample_id=sample_id, img_shape=size, gt_bboxes=box))
    data_sample.set_field(sim_map, 'pred_sim_map')
    data_sample.set_field(gt_map, 'gt_map')
    return data_sample


def test_png_of_the_frame_size_with_heatmap_and_boxes(tmp_path):
    frame = np.full((96, 128, 3), 128, dtype=np.uint8)
    out_file = tmp_path / 'sub' / 'overlay.png'
    drawn = make_visualizer().add_datasample('x', frame, make_sample(), out_file=str(out_file))
    assert out_file.read_bytes()[:8] == PNG_SIGNATURE
    with Image.open(out_file) as image:
        image.verify()
    saved = cv2.cvtColor(cv2.imread(str(out_file)), cv2.COLOR_BGR2RGB)
    assert saved.shape == frame.shape
    np.testing.assert_array_equal(saved, drawn)
    # heatmap: hot (red) in the peaked quarter, cold (blue) far from it
    assert saved[20, 20, 0] > saved[20, 20, 2]
    assert saved[80, 110, 2] > saved[80, 110, 0]
    # the green ground-truth box's right edge runs along x = 63 (the box is [0, 64) x [0, 48))
    assert tuple(saved[20, 63]) == (0, 255, 0)


def test_overlay_blends_like_save_visual_and_respects_the_region():
    frame = np.full((60, 100, 3), 200, dtype=np.uint8)
    sim_map = np.random.RandomState(0).rand(14, 14).astype(np.float32)
    full = overlay_heatmap(frame, sim_map, alpha=0.5)
    heat = heatmap_to_rgb(sim_map, (60, 100))
    expected = np.round(frame.astype(np.float64) * 0.5 + heat * 0.5)
    assert np.abs(full.astype(np.float64) - expected).max() <= 1
    region = overlay_heatmap(frame, sim_map, alpha=0.5, region=(20, 0, 80, 60))
    np.testing.assert_array_equal(region[:, :20], frame[:, :20])
    np.testing.assert_array_equal(region[:, 80:], frame[:, 80:])
    assert not np.array_equal(region[:, 20:80], frame[:, 20:80])


def test_constant_map_draws_without_warnings():
    import warnings
    frame = np.zeros((32, 32, 3), dtype=np.uint8)
    sample = make_sample(size=(32, 32))
    sample.pred_sim_map = torch.full((14, 14), 0.2)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        drawn = make_visualizer().draw_localization(frame, sample)
    assert drawn.shape == (32, 32, 3)


def test_backend_receives_the_image(tmp_path):
    visualizer = make_visualizer(vis_backends=[dict(type='LocalVisBackend')],
                                 save_dir=str(tmp_path))
    frame = np.full((96, 128, 3), 60, dtype=np.uint8)
    visualizer.add_datasample('val_0_clip', frame, make_sample(), step=3)
    saved = tmp_path / 'vis_data' / 'vis_image' / 'val_0_clip_3.png'
    assert saved.exists()
    assert cv2.imread(str(saved)).shape == (96, 128, 3)


def fake_batch(num, size=(48, 64)):
    frames = torch.randint(0, 255, (num, 1, 3, *size), dtype=torch.uint8)
    samples = [make_sample(f'clip/{i:03d}', size) for i in range(num)]
    return dict(inputs=dict(frames=frames)), samples


def test_hook_logs_a_few_val_overlays_and_writes_every_test_overlay(tmp_path):
    visualizer = make_visualizer(vis_backends=[dict(type='LocalVisBackend')],
                                 save_dir=str(tmp_path / 'vis'))
    runner = SimpleNamespace(visualizer=visualizer, work_dir=str(tmp_path / 'work'),
                             logger=SimpleNamespace(info=lambda message: None))
    hook = LocalizationVisualizationHook(enable=True, val_samples=3, test_out_dir='show')
    hook.before_run(runner)
    hook.before_val_epoch(runner)
    for batch_idx in range(3):
        data_batch, outputs = fake_batch(2)
        hook.after_val_iter(runner, batch_idx, data_batch, outputs)
    logged = sorted(p.name for p in (tmp_path / 'vis' / 'vis_data' / 'vis_image').iterdir())
    assert logged == ['val_0_clip_000_0.png', 'val_1_clip_001_0.png', 'val_2_clip_000_0.png']

    hook.before_test(runner)
    for batch_idx in range(2):
        data_batch, outputs = fake_batch(2)
        for i, sample in enumerate(outputs):
            sample.set_metainfo(dict(sample_id=f'test/{batch_idx}_{i}'))
        hook.after_test_iter(runner, batch_idx, data_batch, outputs)
    written = sorted(p.name for p in (tmp_path / 'work' / 'show').iterdir())
    assert written == ['test_0_0.png', 'test_0_1.png', 'test_1_0.png', 'test_1_1.png']
    assert cv2.imread(str(tmp_path / 'work' / 'show' / 'test_1_1.png')).shape == (48, 64, 3)


def test_hook_disabled_draws_nothing_and_needs_the_right_visualizer(tmp_path):
    from mmengine.visualization import Visualizer
    runner = SimpleNamespace(visualizer=Visualizer(name=f'plain_{uuid.uuid4().hex}'),
                             work_dir=str(tmp_path))
    LocalizationVisualizationHook(enable=False).before_run(runner)  # fine when off
    with pytest.raises(TypeError, match='LocalizationVisualizer'):
        LocalizationVisualizationHook(enable=True).before_run(runner)
    hook = LocalizationVisualizationHook(enable=False, test_out_dir='show')
    hook.before_test(runner)
    data_batch, outputs = fake_batch(1)
    hook.after_test_iter(runner, 0, data_batch, outputs)
    assert not osp.exists(tmp_path / 'show')


def test_default_runtime_uses_them(repo_root):
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(repo_root, 'configs', 'sspl_w_pcm_synthetic.py'))
    assert cfg.visualizer.type == 'LocalizationVisualizer'
    assert cfg.default_hooks.visualization.type == 'LocalizationVisualizationHook'
    assert isinstance(VISUALIZERS.build(dict(cfg.visualizer, name=f'v_{uuid.uuid4().hex}',
                                             vis_backends=None)), LocalizationVisualizer)


def test_tensorboard_backend_gets_the_overlay(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    visualizer = make_visualizer(vis_backends=[dict(type='TensorboardVisBackend')],
                                 save_dir=str(tmp_path))
    visualizer.add_datasample('val_0_clip', np.zeros((48, 64, 3), np.uint8),
                              make_sample(size=(48, 64)), step=2)
    visualizer.close()
    accumulator = EventAccumulator(str(tmp_path / 'vis_data'), size_guidance={'images': 0})
    accumulator.Reload()
    images = accumulator.Images('val_0_clip')
    assert [(e.step, e.width, e.height) for e in images] == [(2, 64, 48)]


def test_tools_test_show_dir_writes_an_overlay_per_sample(tmp_path, repo_root, load_tool):
    """tools/test.py --show-dir with a tiny random model on 3 synthetic clips."""
    import json

    from mmengine.config import Config

    from sspl.registry import MODELS
    config = osp.join(repo_root, 'configs', 'sspl_w_pcm_synthetic.py')
    torch.manual_seed(0)
    checkpoint = str(tmp_path / 'tiny.pth')
    torch.save({'state_dict': MODELS.build(Config.fromfile(config).model).state_dict()},
               checkpoint)
    tool = load_tool('tools/test.py')
    work_dir = tmp_path / 'work'
    metrics = tool.main([config, checkpoint, '--work-dir', str(work_dir), '--show-dir', 'show',
                         '--cfg-options', f'test_dataloader.dataset.data_root={tmp_path / "syn"}',
                         'test_dataloader.dataset.num_samples=3', 'test_dataloader.batch_size=2',
                         'test_dataloader.num_workers=0',
                         'test_dataloader.persistent_workers=False'])
    overlays = sorted((work_dir / 'show').iterdir())
    assert [p.name for p in overlays] == ['test_00000.png', 'test_00001.png', 'test_00002.png']
    assert all(cv2.imread(str(p)).shape == (224, 224, 3) for p in overlays)  # drawn at >= 224 px
    per_sample = list(work_dir.glob('*/per_sample/test.json'))
    assert len(per_sample) == 1
    saved = json.loads(per_sample[0].read_text())
    assert [s['sample_id'] for s in saved['samples']] == ['test_00000', 'test_00001',
                                                          'test_00002']
    assert saved['metrics'] == pytest.approx(metrics)
