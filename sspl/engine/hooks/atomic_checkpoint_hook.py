"""Checkpoints that survive a crash at any moment, and an exact resume."""
from sspl.registry import HOOKS
from ..compat.atomic_checkpoint_saving import AtomicCheckpointSaving

#: message-hub key: the last epoch whose validation finished (saved with the checkpoint).
LAST_VAL_EPOCH_KEY = 'last_val_epoch'


@HOOKS.register_module()
class AtomicCheckpointHook(AtomicCheckpointSaving):
    """mmengine's :class:`~mmengine.hooks.CheckpointHook` (same arguments) made
    safe against interruption. Registered under its own name only:
    ``type='AtomicCheckpointHook'`` (as ``configs/_base_/default_runtime.py``
    names it); ``type='CheckpointHook'`` is mmengine's stock hook.

    What changes:

    - Saves survive a kill at any moment (atomic writes, old checkpoints
      deleted only after the new one is complete, leftovers of a killed save
      removed at start): the workaround of
      :class:`sspl.engine.compat.AtomicCheckpointSaving`.
    - Exact resume: the checkpoint of epoch N is written before epoch N's
      validation. The hook records the last validated epoch in the message hub
      (saved with every checkpoint); when a resumed run finds that epoch N's
      validation did not finish (the run died during or after it, before a
      re-save), it runs it first, so the best checkpoint, the best score and
      early stopping see every validation an uninterrupted run sees.
    """

    def before_train(self, runner) -> None:
        super().before_train(runner)
        self._run_missed_validation(runner)

    def _run_missed_validation(self, runner) -> None:
        last_val_epoch = runner.message_hub.get_info(LAST_VAL_EPOCH_KEY)
        if runner.epoch == 0 and last_val_epoch is None:
            # a new run: its first checkpoint (written before the first validation)
            # must say that no validation has finished yet
            runner.message_hub.update_info(LAST_VAL_EPOCH_KEY, 0)
        if not self.by_epoch or runner.epoch == 0 or runner.val_loop is None:
            return
        if last_val_epoch is None or last_val_epoch >= runner.epoch:
            return
        loop = runner.train_loop
        epoch = runner.epoch
        val_begin = getattr(loop, 'val_begin', 1)
        val_interval = getattr(loop, 'val_interval', 1)
        due = epoch >= val_begin and (epoch % val_interval == 0 or epoch == runner.max_epochs)
        if due:
            runner.logger.info(f'Resumed after epoch {epoch}, whose validation had not '
                               'finished: validating it first.')
            runner.val_loop.run()

    def after_val_epoch(self, runner, metrics):
        # Recorded before the best checkpoint (and the re-saved latest one) is written.
        if self.by_epoch:
            runner.message_hub.update_info(LAST_VAL_EPOCH_KEY, runner.epoch)
        super().after_val_epoch(runner, metrics)
