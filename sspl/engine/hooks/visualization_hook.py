"""Heatmap overlays during validation (to the visualizer's backends) and test
(PNG files)."""
import os
import os.path as osp
import re
from typing import Optional, Sequence

from mmengine.hooks import Hook
from mmengine.runner import EpochBasedTrainLoop

from sspl.registry import HOOKS


def safe_file_name(sample_id: str) -> str:
    """A sample id as a file name: path separators and odd characters become ``_``."""
    return re.sub(r'[^A-Za-z0-9._-]+', '_', str(sample_id)).strip('._') or 'sample'


def _frame_of(data_batch: dict, index: int):
    """``(H, W, 3)`` uint8 first view of sample ``index`` of a (collated or
    pseudo-collated) batch: ``inputs['frames']`` is ``(B, V, 3, H, W)`` or a
    list of ``(V, 3, H, W)``."""
    frames = data_batch['inputs']['frames'][index]
    if frames.dim() == 4:
        frames = frames[0]
    return frames.permute(1, 2, 0).cpu().numpy()


@HOOKS.register_module()
class LocalizationVisualizationHook(Hook):
    """Shows where the model thinks the sound comes from.

    - Validation: the first ``val_samples`` samples of each validation run are
      drawn by the runner's visualizer (e.g.
      :class:`sspl.visualization.LocalizationVisualizer`) and sent to its
      backends (TensorBoard, ``vis_data/vis_image``) as ``val_<k>_<sample_id>``
      at step = the epoch (iteration for iteration-based training), so the
      same samples can be followed through training. In a distributed run
      rank 0 logs its own shard's first samples.
    - Test: with ``test_out_dir``, every test sample is written to
      ``<test_out_dir>/<sample_id>.png`` (relative paths are under the work
      dir), on every rank.

    Args:
        enable: draw anything at all.
        val_samples: how many overlays per validation run.
        test_out_dir: folder for the test overlays (``tools/test.py --show-dir``).
        draw_gt, draw_pred: draw the ground-truth boxes / the prediction.
        show, wait_time: also open a window (local debugging).
    """

    priority = 'NORMAL'

    def __init__(self,
                 enable: bool = False,
                 val_samples: int = 4,
                 test_out_dir: Optional[str] = None,
                 draw_gt: bool = True,
                 draw_pred: bool = True,
                 show: bool = False,
                 wait_time: float = 0.):
        self.enable = enable
        self.val_samples = val_samples
        self.test_out_dir = test_out_dir
        self.draw_gt = draw_gt
        self.draw_pred = draw_pred
        self.show = show
        self.wait_time = wait_time
        self._training = False
        self._val_drawn = 0
        self._test_dir = None

    def before_run(self, runner) -> None:
        if self.enable and not hasattr(runner.visualizer, 'draw_localization'):
            raise TypeError(
                'LocalizationVisualizationHook needs the LocalizationVisualizer: set '
                "visualizer = dict(type='LocalizationVisualizer', ...) in the config (got "
                f'{type(runner.visualizer).__name__})')

    def before_train(self, runner) -> None:
        self._training = True

    def after_train(self, runner) -> None:
        self._training = False

    def _step(self, runner) -> int:
        if not self._training:
            return 0
        if isinstance(runner.train_loop, EpochBasedTrainLoop):
            return runner.epoch
        return runner.iter

    def before_val_epoch(self, runner) -> None:
        self._val_drawn = 0

    def after_val_iter(self, runner, batch_idx: int, data_batch: dict = None,
                       outputs: Optional[Sequence] = None) -> None:
        if not self.enable or self._val_drawn >= self.val_samples or not outputs:
            return
        step = self._step(runner)
        for index, data_sample in enumerate(outputs):
            if self._val_drawn >= self.val_samples:
                break
            sample_id = data_sample.get('sample_id', f'{batch_idx}_{index}')
            runner.visualizer.add_datasample(
                f'val_{self._val_drawn}_{safe_file_name(sample_id)}',
                _frame_of(data_batch, index), data_sample, draw_gt=self.draw_gt,
                draw_pred=self.draw_pred, show=self.show, wait_time=self.wait_time, step=step)
            self._val_drawn += 1

    def before_test(self, runner) -> None:
        self._test_dir = None
        if self.enable and self.test_out_dir is not None:
            self._test_dir = self.test_out_dir if osp.isabs(self.test_out_dir) else osp.join(
                runner.work_dir, self.test_out_dir)
            os.makedirs(self._test_dir, exist_ok=True)

    def after_test_iter(self, runner, batch_idx: int, data_batch: dict = None,
                        outputs: Optional[Sequence] = None) -> None:
        if self._test_dir is None or not outputs:
            return
        for index, data_sample in enumerate(outputs):
            sample_id = data_sample.get('sample_id', f'{batch_idx}_{index}')
            name = safe_file_name(sample_id)
            runner.visualizer.add_datasample(
                name, _frame_of(data_batch, index), data_sample, draw_gt=self.draw_gt,
                draw_pred=self.draw_pred, show=self.show, wait_time=self.wait_time,
                out_file=osp.join(self._test_dir, f'{name}.png'))

    def after_test(self, runner) -> None:
        if self._test_dir is not None:
            runner.logger.info(f'LocalizationVisualizationHook: overlays written to '
                               f'{self._test_dir}')
