"""Cached VGGish embeddings are checked against the model: those of other
VGGish weights are refused before the step by check_cached_embeddings, which
EmbeddingCacheCheckHook runs on every batch (and every config of the runtime
has the hook)."""
import os.path as osp

import numpy as np
import pytest

from sspl.datasets.transforms import LoadVGGishEmbedding, PackAVInputs
from sspl.testing import REPO_ROOT, build_model, write_tone_wav as write_wav

pytestmark = pytest.mark.usefixtures('one_thread')  # (tests/conftest.py)


def test_model_refuses_foreign_or_trainable_embeddings(tmp_path, vggish_file, tiny_model_cfg):
    """Embeddings of other VGGish weights are refused before the step (by the
    check beside the cache, which the runtime's EmbeddingCacheCheckHook runs
    on every batch); a model whose VGGish has the cache's weights passes;
    a trainable VGGish refuses any cached embeddings."""
    from types import SimpleNamespace

    from mmengine.config import Config
    from mmengine.dataset import default_collate

    from sspl.datasets.transforms.embedding_cache import check_cached_embeddings
    from sspl.registry import HOOKS
    _, backbone = vggish_file
    audio = write_wav(tmp_path / 'clip.wav')
    frame = np.zeros((112, 112, 3), dtype=np.uint8)
    transform = LoadVGGishEmbedding(cache_dir=str(tmp_path / 'cache'), backbone=backbone)
    batch = default_collate([PackAVInputs()(transform(dict(audio_path=audio, img=frame)))] * 2)

    other = build_model(dict(tiny_model_cfg, audio_backbone=dict(backbone, pretrained=None)),
                        seed=3).eval()
    data = other.data_preprocessor(batch, False)
    with pytest.raises(ValueError, match='other VGGish weights'):
        check_cached_embeddings(other, data['data_samples'])
    hook = HOOKS.build(dict(type='EmbeddingCacheCheckHook'))
    for before_iter in (hook.before_train_iter, hook.before_val_iter, hook.before_test_iter):
        with pytest.raises(ValueError, match='other VGGish weights'):
            before_iter(SimpleNamespace(model=other), 0, batch)
    # ... and every config of the runtime runs the hook.
    runtime = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'sspl_w_pcm_synthetic.py'))
    assert dict(type='EmbeddingCacheCheckHook') in runtime.custom_hooks

    own = build_model(dict(tiny_model_cfg, audio_backbone=backbone)).eval()
    check_cached_embeddings(own, data['data_samples'])  # the cache's weights: no error
    hook.before_test_iter(SimpleNamespace(model=own), 0, batch)

    trainable = build_model(dict(tiny_model_cfg, audio_backbone=dict(backbone, frozen=False)))
    with pytest.raises(ValueError, match='frozen audio backbone'):
        trainable.extract_audio_feat(audio_embedding=data['inputs']['audio_embedding'])
