"""tools/data/cache_vggish_embeddings.py fills the embedding cache."""
import os
import os.path as osp

import pytest

from sspl.datasets.transforms.embedding_cache import fill_embedding_cache
from sspl.testing import embedding_cache_entries as _entries

pytestmark = pytest.mark.usefixtures('one_thread')  # (tests/conftest.py)


def test_fill_tool_resumes_and_cleans(tmp_path, vggish_file, repo_root, load_tool):
    """tools/data/cache_vggish_embeddings.py fills every clip once, skips them
    on a second run and removes the folders of stale keys."""
    tool = load_tool('tools/data/cache_vggish_embeddings.py')
    _, backbone = vggish_file
    cache_dir = str(tmp_path / 'cache')
    pipeline = [dict(type='LoadFrame'),
                dict(type='LoadVGGishEmbedding', cache_dir=cache_dir, backbone=backbone),
                dict(type='PackAVInputs')]
    config = tmp_path / 'cached.py'
    config.write_text(
        f"_base_ = [{osp.join(repo_root, 'configs', 'sspl_w_pcm_synthetic.py')!r}]\n"
        f"train_dataloader = dict(dataset=dict(data_root={str(tmp_path / 'data')!r}, "
        f"num_samples=5, pipeline={pipeline!r}))\n")
    stale = osp.join(cache_dir, 'stale_key')
    os.makedirs(stale)
    open(osp.join(stale, 'meta.json'), 'w').close()

    tool.main([str(config), '--splits', 'train', '--num-workers', '0', '--clean'])
    assert len(_entries(cache_dir)) == 5
    assert not osp.exists(stale)

    from mmengine.config import Config
    dataset, cache = tool.build_audio_dataset(Config.fromfile(str(config)).train_dataloader)
    assert [t for t in dataset.pipeline.transforms] == []  # frames are not loaded
    assert fill_embedding_cache(dataset, cache) == (5, 0)  # all cached: nothing recomputed
