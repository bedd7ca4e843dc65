"""The VGGish embedding cache (LoadVGGishEmbedding): hits, misses,
invalidation, refusals, and that the model gives the same numbers from cached
embeddings as from log-mel. (The check of the embeddings against the model:
tests/test_engine/test_hooks/test_embedding_cache_check_hook.py; the fill
tool: tests/test_tools/test_cache_vggish_embeddings.py; the inference API:
tests/test_apis/test_inference_cached_embeddings.py.)"""
import glob
import os
import os.path as osp

import numpy as np
import pytest
import torch

from sspl.datasets.transforms import (LoadAudio, LoadVGGishEmbedding, PackAVInputs,
                                      VGGishLogMel)
from sspl.testing import (assert_parity_close, build_model, embedding_cache_entries as _entries,
                          write_tone_wav as write_wav)

pytestmark = pytest.mark.usefixtures('one_thread')  # (tests/conftest.py)


def _reference_embedding(backbone_cfg, audio_path):
    """What the model computes without the cache: LoadAudio, VGGishLogMel, VGGish."""
    from sspl.registry import MODELS
    results = VGGishLogMel()(LoadAudio()(dict(audio_path=audio_path)))
    vggish = MODELS.build(backbone_cfg)
    vggish.init_weights()
    return vggish(torch.from_numpy(results['log_mel']))


def test_miss_then_hit(tmp_path, vggish_file, monkeypatch):
    weights, backbone = vggish_file
    audio = write_wav(tmp_path / 'clip.wav')
    cache_dir = str(tmp_path / 'cache')
    transform = LoadVGGishEmbedding(cache_dir=cache_dir, backbone=backbone)

    first = transform(dict(sample_id='clip', audio_path=audio))
    assert first['audio_embedding'].shape == (3, 128)
    assert len(_entries(cache_dir)) == 1
    assert_parity_close(torch.from_numpy(first['audio_embedding']),
                        _reference_embedding(backbone, audio), rtol=1e-6)

    # A new transform (a new worker) reads the entry: VGGish must not run.
    again = LoadVGGishEmbedding(cache_dir=cache_dir, backbone=backbone)
    monkeypatch.setattr(again.cache, 'embed', lambda *a: pytest.fail('recomputed a hit'))
    second = again(dict(sample_id='clip', audio_path=audio))
    np.testing.assert_array_equal(second['audio_embedding'], first['audio_embedding'])
    # ... and the weights fingerprint came from the index, without loading VGGish.
    assert again.cache._vggish is None
    assert second['vggish_weights_hash'] == first['vggish_weights_hash']


def test_on_miss_error_names_the_entry_and_the_tool(tmp_path, vggish_file):
    _, backbone = vggish_file
    audio = write_wav(tmp_path / 'clip.wav')
    transform = LoadVGGishEmbedding(cache_dir=str(tmp_path / 'cache'), backbone=backbone,
                                    on_miss='error')
    with pytest.raises(FileNotFoundError, match='cache_vggish_embeddings.py'):
        transform(dict(sample_id='clip', audio_path=audio))


def test_invalidation(tmp_path, vggish_file):
    weights, backbone = vggish_file
    audio = write_wav(tmp_path / 'clip.wav')
    cache_dir = str(tmp_path / 'cache')
    sample = dict(sample_id='clip', audio_path=audio)
    base = LoadVGGishEmbedding(cache_dir=cache_dir, backbone=backbone)(dict(sample))
    assert len(_entries(cache_dir)) == 1

    # Other audio pre-processing: another key, a miss.
    LoadVGGishEmbedding(cache_dir=cache_dir, backbone=backbone, duration=2.0)(dict(sample))
    assert len(_entries(cache_dir)) == 2

    # The clip file changes: a new entry with the new content's embedding.
    write_wav(audio, seed=5, seconds=2.5)
    os.utime(audio, ns=(1, 10 ** 18))
    changed = LoadVGGishEmbedding(cache_dir=cache_dir, backbone=backbone)(dict(sample))
    assert len(_entries(cache_dir)) == 3
    assert not np.array_equal(changed['audio_embedding'], base['audio_embedding'])

    # New VGGish weights in the same file: a new fingerprint, a new key.
    state = torch.load(weights, weights_only=True)
    torch.save({k: v + 0.01 for k, v in state.items()}, weights)
    os.utime(weights, ns=(1, 2 * 10 ** 18))
    new = LoadVGGishEmbedding(cache_dir=cache_dir, backbone=backbone)(dict(sample))
    assert new['vggish_weights_hash'] != base['vggish_weights_hash']
    assert len(_entries(cache_dir)) == 4
    assert len(glob.glob(osp.join(cache_dir, '*', 'meta.json'))) == 3


def test_torn_entry_is_recomputed(tmp_path, vggish_file):
    _, backbone = vggish_file
    audio = write_wav(tmp_path / 'clip.wav')
    cache_dir = str(tmp_path / 'cache')
    transform = LoadVGGishEmbedding(cache_dir=cache_dir, backbone=backbone)
    good = transform(dict(audio_path=audio))['audio_embedding']
    (entry,) = _entries(cache_dir)
    with open(entry, 'wb') as f:
        f.write(b'not a numpy file')
    np.testing.assert_array_equal(transform(dict(audio_path=audio))['audio_embedding'], good)


def test_preloaded_waveform_is_keyed_by_content(tmp_path, vggish_file):
    _, backbone = vggish_file
    transform = LoadVGGishEmbedding(cache_dir=str(tmp_path / 'cache'), backbone=backbone)
    waveform = np.random.default_rng(0).uniform(-1, 1, 48000).astype(np.float32)
    a = transform(dict(waveform=waveform))['audio_embedding']
    b = transform(dict(waveform=waveform * 0.5))['audio_embedding']
    assert len(_entries(str(tmp_path / 'cache'))) == 2
    assert not np.array_equal(a, b)


@pytest.mark.parametrize('change, message', [
    (dict(frozen=False), 'trainable'),
    (dict(pretrained=None), 'pretrained'),
])
def test_refuses_uncacheable_backbones(tmp_path, vggish_file, change, message):
    _, backbone = vggish_file
    with pytest.raises(ValueError, match=message):
        LoadVGGishEmbedding(cache_dir=str(tmp_path), backbone=dict(backbone, **change))


def test_model_same_numbers_from_cache(tmp_path, vggish_file, tiny_model_cfg):
    """loss and predict from cached embeddings equal those from log-mel."""
    from mmengine.dataset import default_collate
    weights, backbone = vggish_file
    model_cfg = dict(tiny_model_cfg, audio_backbone=backbone)
    model = build_model(model_cfg).eval()
    cache = LoadVGGishEmbedding(cache_dir=str(tmp_path / 'cache'), backbone=backbone)
    rng = np.random.default_rng(0)
    with_cache, with_log_mel = [], []
    for index in range(3):
        audio = write_wav(tmp_path / f'clip{index}.wav', seed=index)
        frame = rng.integers(0, 255, (112, 112, 3), dtype=np.uint8)
        sample = dict(sample_id=str(index), audio_path=audio, img=[frame, frame[::-1].copy()])
        with_cache.append(PackAVInputs()(cache(dict(sample))))
        with_log_mel.append(PackAVInputs()(VGGishLogMel()(LoadAudio()(dict(sample)))))
    assert set(with_cache[0]['inputs']) == {'frames', 'audio_embedding'}
    cached = model.data_preprocessor(default_collate(with_cache), False)
    direct = model.data_preprocessor(default_collate(with_log_mel), False)
    with torch.no_grad():
        maps_cached = model.predict(cached['inputs'], cached['data_samples'])
        maps_direct = model.predict(direct['inputs'], direct['data_samples'])
        for a, b in zip(maps_cached, maps_direct):
            assert_parity_close(a.pred_sim_map, b.pred_sim_map)
        model.train()
        torch.manual_seed(0)
        loss_cached = model.loss(cached['inputs'], cached['data_samples'])['loss']
        torch.manual_seed(0)
        loss_direct = model.loss(direct['inputs'], direct['data_samples'])['loss']
    assert abs(loss_cached.item() - loss_direct.item()) <= 1e-5
