"""Per-sample evaluation results in the run's log folder."""
import os.path as osp
from typing import Iterator

from mmengine.hooks import Hook
from mmengine.runner import EpochBasedTrainLoop

from sspl.registry import HOOKS


def _metrics_of(loop) -> Iterator:
    evaluator = getattr(loop, 'evaluator', None)
    yield from getattr(evaluator, 'metrics', []) or []


@HOOKS.register_module()
class PerSampleResultsHook(Hook):
    """Point every metric with an ``out_file`` attribute (e.g.
    :class:`sspl.evaluation.CIoUMetric`) that was left at ``None`` to a file in
    ``<work_dir>/<timestamp>/<folder>/``:

    - ``val_epoch_<E>.json`` (``val_iter_<I>.json`` for iteration-based
      training) for each validation during training, ``val.json`` for a
      standalone validation;
    - ``test.json`` for a test run (``tools/test.py``).

    An ``out_file`` given in the config is left as it is.

    Args:
        folder: sub-folder of the run's log folder.
    """

    priority = 'LOW'

    def __init__(self, folder: str = 'per_sample'):
        self.folder = folder
        self._managed = set()  # ids of the metrics whose out_file this hook sets
        self._training = False

    def before_train(self, runner) -> None:
        self._training = True

    def after_train(self, runner) -> None:
        self._training = False

    def _point(self, runner, loop, file_name: str) -> None:
        for metric in _metrics_of(loop):
            if not hasattr(metric, 'out_file'):
                continue
            if metric.out_file is not None and id(metric) not in self._managed:
                continue  # set by the user
            metric.out_file = osp.join(runner.log_dir, self.folder, file_name)
            self._managed.add(id(metric))

    def before_val_epoch(self, runner) -> None:
        if not self._training:
            name = 'val.json'
        elif isinstance(runner.train_loop, EpochBasedTrainLoop):
            name = f'val_epoch_{runner.epoch}.json'
        else:
            name = f'val_iter_{runner.iter}.json'
        self._point(runner, runner.val_loop, name)

    def before_test_epoch(self, runner) -> None:
        self._point(runner, runner.test_loop, 'test.json')
