"""inference_localizer with a test pipeline that reads cached VGGish
embeddings."""
import numpy as np
import pytest

from sspl.testing import assert_parity_close, build_model, write_tone_wav as write_wav

pytestmark = pytest.mark.usefixtures('one_thread')  # (tests/conftest.py)


def test_inference_api_with_a_cached_embedding_pipeline(tmp_path, vggish_file, tiny_model_cfg):
    """inference_localizer runs the config's test pipeline through the test
    step: a pipeline with LoadVGGishEmbedding gives the log-mel pipeline's maps."""
    from mmengine.config import Config

    from sspl.apis import inference_localizer
    weights, backbone = vggish_file
    model = build_model(dict(tiny_model_cfg, audio_backbone=backbone)).eval()
    view = [dict(type='ResizeShortEdge', size=112), dict(type='CenterCrop', size=112),
            dict(type='PackAVInputs')]
    log_mel_pipeline = [dict(type='LoadFrame'), dict(type='LoadAudio'),
                        dict(type='VGGishLogMel')] + view
    cached_pipeline = [dict(type='LoadFrame'),
                       dict(type='LoadVGGishEmbedding', cache_dir=str(tmp_path / 'cache'),
                            backbone=backbone)] + view
    frame = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    audio = write_wav(tmp_path / 'clip.wav')
    maps = []
    for pipeline in (log_mel_pipeline, cached_pipeline):
        model.cfg = Config(dict(test_dataloader=dict(dataset=dict(pipeline=pipeline))))
        maps.append(inference_localizer(model, frame, audio).pred_sim_map)
    assert_parity_close(maps[1], maps[0])
    # A model whose VGGish is not the cache's is refused here too.
    other = build_model(dict(tiny_model_cfg, audio_backbone=dict(backbone, pretrained=None)),
                        seed=3).eval()
    other.cfg = model.cfg
    with pytest.raises(ValueError, match='other VGGish weights'):
        inference_localizer(other, frame, audio)
