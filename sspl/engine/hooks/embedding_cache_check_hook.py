"""Refuse cached audio embeddings computed with other weights than the model's."""
from typing import Optional

from mmengine.hooks import Hook

from sspl.datasets.transforms.embedding_cache import check_cached_embeddings
from sspl.registry import HOOKS


@HOOKS.register_module()
class EmbeddingCacheCheckHook(Hook):
    """Before every training, validation and test iteration, check the
    batch's cached VGGish embeddings against the model's own VGGish
    (:func:`sspl.datasets.transforms.embedding_cache.check_cached_embeddings`):
    a :class:`ValueError` names the sample, both weight fingerprints and the
    cache folder instead of training or scoring on foreign embeddings. Batches
    without cached embeddings pass untouched. In ``custom_hooks`` of
    ``configs/_base_/default_runtime.py``.
    """

    priority = 'NORMAL'

    def _check(self, runner, data_batch: Optional[dict]) -> None:
        if isinstance(data_batch, dict):
            check_cached_embeddings(runner.model, data_batch.get('data_samples'))

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        self._check(runner, data_batch)

    def before_val_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        self._check(runner, data_batch)

    def before_test_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        self._check(runner, data_batch)
