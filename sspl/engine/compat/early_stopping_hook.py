"""Early stopping whose state survives a resume."""
from mmengine.hooks import EarlyStoppingHook

from sspl.registry import HOOKS

STATE_KEY_PREFIX = 'early_stopping/'


@HOOKS.register_module()
class ResumableEarlyStoppingHook(EarlyStoppingHook):
    """mmengine's :class:`~mmengine.hooks.EarlyStoppingHook` (same arguments:
    ``monitor``, ``rule``, ``min_delta``, ``patience``, ...) that keeps its
    state (best score, validations without improvement, whether it stopped the
    run) across a resume. Registered under its own name only:
    ``type='EarlyStoppingHook'`` is mmengine's stock hook.

    The stock hook keeps that state in memory only: a resumed run starts with
    a fresh patience counter and may train far past the point where the
    uninterrupted run would have stopped. This hook writes its state to the
    runner's message hub after every validation (the message hub is saved in
    every checkpoint and restored by ``resume``) and reads it back when
    training starts. Its priority (``LOW``) is above the checkpoint hook's
    (``VERY_LOW``), so the checkpoint re-saved after a validation holds the
    state updated by that validation.

    Example (SSPL's authors advise early stopping on the validation cIoU)::

        default_hooks = dict(early_stopping=dict(
            type='ResumableEarlyStoppingHook', monitor='cIoU', rule='greater',
            min_delta=0.001, patience=10))
    """

    priority = 'LOW'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stopped_epoch = None

    @property
    def _state_key(self) -> str:
        return STATE_KEY_PREFIX + self.monitor

    def before_train(self, runner) -> None:
        state = runner.message_hub.get_info(self._state_key)
        if state is None:
            return
        self.best_score = float(state['best_score'])
        self.wait_count = int(state['wait_count'])
        self.stopped_epoch = state.get('stopped_epoch')
        runner.logger.info(f'EarlyStoppingHook: resumed state of `{self.monitor}`: best '
                           f'{self.best_score:.4f}, {self.wait_count} validation(s) without '
                           'improvement.')
        if self.stopped_epoch is not None:
            runner.train_loop.stop_training = True
            runner.logger.info(f'EarlyStoppingHook: this run was stopped early after epoch '
                               f'{self.stopped_epoch}; there is nothing left to train.')

    def after_val_epoch(self, runner, metrics) -> None:
        super().after_val_epoch(runner, metrics)
        if self.stopped_epoch is None and getattr(runner.train_loop, 'stop_training', False):
            self.stopped_epoch = runner.epoch
        runner.message_hub.update_info(self._state_key, dict(
            best_score=float(self.best_score), wait_count=int(self.wait_count),
            stopped_epoch=self.stopped_epoch))
