"""tools/analysis/audio_swap.py: own-audio figures are those of tools/test.py,
swapped clips get the audio of another class."""
import os.path as osp
import uuid

import pytest
import torch

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_partners_are_other_clips_of_other_classes(load_tool):
    swap = load_tool('tools/analysis/audio_swap.py')
    labels = [0, 0, 1, 2, 1, 0, 2, 2]
    partners = swap.audio_partners(labels, seed=3)
    assert len(partners) == len(labels)
    assert all(labels[p] != labels[i] for i, p in enumerate(partners))
    assert swap.audio_partners(labels, seed=3) == partners  # reproducible
    # Without labels: any other clip.
    unlabelled = swap.audio_partners([None] * 5, seed=0)
    assert all(p != i for i, p in enumerate(unlabelled))


def test_own_audio_reproduces_the_test_tool(tmp_path, monkeypatch, load_tool):
    from mmengine.config import Config

    from sspl.registry import MODELS
    from sspl.utils import register_all_modules
    monkeypatch.delenv('LOCAL_RANK', raising=False)
    register_all_modules()
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'sspl_w_pcm_synthetic.py'))
    cfg.model.visual_backbone.pretrained = None
    cfg.test_dataloader.update(batch_size=4, num_workers=0, persistent_workers=False)
    cfg.test_dataloader.dataset.update(data_root=str(tmp_path / 'data'), num_samples=8)
    cfg.visualizer.name = uuid.uuid4().hex
    config = str(tmp_path / 'config.py')
    cfg.dump(config)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    checkpoint = str(tmp_path / 'model.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), checkpoint)

    tested = load_tool('tools/test.py').main([config, checkpoint, '--work-dir',
                                              str(tmp_path / 'w')])
    result = load_tool('tools/analysis/audio_swap.py').main(
        [config, checkpoint, '--device', 'cpu', '--batch-size', '3',
         '--out', str(tmp_path / 'swap.json')])
    for key, value in tested.items():
        assert result['own_audio'][key] == pytest.approx(value, abs=1e-6), key
    assert result['swapped_audio'] != result['own_audio']  # the maps follow the audio
    assert osp.isfile(tmp_path / 'swap.json')


def test_center_prior_scores_the_same_map_for_every_clip(tmp_path, load_tool):
    """tools/analysis/center_prior.py == the functional cIoU of
    center_prior_map against each clip's ground truth."""
    import numpy as np
    from mmengine.config import Config

    from sspl.evaluation.functional import center_prior_map, ciou, ciou_auc
    from sspl.registry import DATASETS
    from sspl.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'sspl_w_pcm_synthetic.py'))
    cfg.test_dataloader.dataset.update(data_root=str(tmp_path / 'data'), num_samples=6)
    config = str(tmp_path / 'config.py')
    cfg.dump(config)
    metrics = load_tool('tools/analysis/center_prior.py').main(
        [config, '--split', 'test', '--out', str(tmp_path / 'prior.json')])
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    prior = center_prior_map((14, 14))
    cious = [ciou(prior, dataset[i]['data_samples'].gt_map, 0.5) for i in range(len(dataset))]
    assert metrics['mean_cIoU'] == pytest.approx(float(np.mean(cious)), abs=1e-9)
    assert (metrics['cIoU'], metrics['AUC']) == pytest.approx(ciou_auc(cious), abs=1e-9)
    assert osp.isfile(tmp_path / 'prior.json')
