"""Per-sample evaluation results in the run's log folder."""
import os.path as osp
from typing import Iterator, Optional

from mmengine.hooks import Hook
from mmengine.runner import EpochBasedTrainLoop

from sspl.registry import HOOKS


def _metrics_of(loop) -> Iterator:
    evaluator = getattr(loop, 'evaluator', None)
    yield from getattr(evaluator, 'metrics', []) or []


def _dataset_info(cfg) -> Optional[dict]:
    """The scalar entries of a dataset config (type, files, split, ...),
    through wrappers (``dataset``); the pipeline left out."""
    if not isinstance(cfg, dict):
        return None
    info = {}
    for key, value in cfg.items():
        if key == 'dataset':
            info[key] = _dataset_info(value)
        elif isinstance(value, (str, int, float, bool)) or value is None:
            info[key] = value
        elif isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float))
                                                      for v in value):
            info[key] = list(value)
    return info


def _run_info(runner, split: str, training: bool) -> dict:
    """What the run is; the entries a runner lacks are None. The epoch and
    iteration only during training (``runner.epoch`` would build the train
    loop, and its data, in a test run)."""
    cfg = getattr(runner, 'cfg', None) or {}
    model = getattr(runner, 'model', None)
    model = getattr(model, 'module', model)
    hub = getattr(runner, 'message_hub', None)
    loader = cfg.get(f'{split}_dataloader') or {}
    return dict(config=getattr(cfg, 'filename', None),
                experiment=getattr(runner, 'experiment_name', None),
                work_dir=getattr(runner, 'work_dir', None),
                model=type(model).__name__ if model is not None else None,
                checkpoint=hub.get_info('checkpoint') if hub is not None else None,
                split=split, epoch=getattr(runner, 'epoch', None) if training else None,
                iter=getattr(runner, 'iter', None) if training else None,
                dataset=_dataset_info(loader.get('dataset')))


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

    It also gives each such metric that has a ``run_info`` dict what the run
    was, written with the values (what ``tools/analysis/leaderboard.py``
    labels its rows with): ``config``, ``experiment``, ``model`` (the
    localizer's type), ``checkpoint`` (the message hub's ``checkpoint`` info,
    set by ``tools/test.py``), ``split`` (``'val'`` / ``'test'``),
    ``epoch`` / ``iter`` (during training) and ``dataset`` (its config: type and file entries,
    through wrappers; no pipeline).

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
        split = file_name.split('_')[0].split('.')[0]
        for metric in _metrics_of(loop):
            if isinstance(getattr(metric, 'run_info', None), dict):
                metric.run_info = _run_info(runner, split, self._training)
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
