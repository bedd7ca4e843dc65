"""CenterPriorLocalizer: the fixed centred map of the old centre-prior tool,
from its config, parameter-free, refusing to train; it runs through
tools/test.py without a checkpoint and tools/analysis/center_prior.py is a
thin use of it."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from sspl.evaluation.functional import center_prior_map
from sspl.registry import MODELS
from sspl.testing import loader_options

BASELINES = ('synthetic', 'flickr', 'vggss', 'chaotic_world')


@pytest.mark.parametrize('map_size, sigma', [((14, 14), 0.25), ((7, 9), 0.4)])
def test_the_map_is_the_centre_prior_of_its_config(map_size, sigma):
    model = MODELS.build(dict(type='CenterPriorLocalizer', map_size=map_size, sigma=sigma))
    frames = torch.rand(3, 1, 3, 32, 48)
    samples = model.predict(dict(frames=frames, log_mel=torch.randn(3, 2, 1, 96, 64)))
    expected = center_prior_map(map_size, sigma)
    for sample in samples:
        np.testing.assert_array_equal(sample.pred_sim_map.numpy(), expected)
        assert not hasattr(sample, 'pred_score')
    assert model(dict(frames=frames), mode='tensor').shape == (3, *map_size)
    # parameter-free: nothing to train, nothing in its checkpoint
    assert list(model.parameters()) == [] and model.state_dict() == {}
    with pytest.raises(RuntimeError, match='does not train'):
        model.loss(dict(frames=frames))


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match='map_size'):
        MODELS.build(dict(type='CenterPriorLocalizer', map_size=(0, 14)))
    with pytest.raises(ValueError, match='sigma'):
        MODELS.build(dict(type='CenterPriorLocalizer', sigma=0.0))


@pytest.mark.parametrize('family', BASELINES)
def test_baseline_configs_pick_their_family_s_test_data(repo_root, family):
    cfg = Config.fromfile(osp.join(repo_root, 'configs', 'baselines',
                                   f'center_prior_{family}.py'))
    assert cfg.model.type == 'CenterPriorLocalizer'
    assert cfg.train_dataloader is None and cfg.val_dataloader is None
    assert cfg.test_dataloader.dataset.pipeline and cfg.test_evaluator
    expected = dict(synthetic='SyntheticAVDataset', flickr='FlickrSoundNetDataset',
                    vggss='VGGSoundDataset', chaotic_world='ChaoticWorldDataset')[family]
    assert cfg.test_dataloader.dataset.type == expected
    from sspl.utils.config_validation import validate_config
    validate_config(cfg, f'center_prior_{family}.py')


def _tiny_test_options(data_root):
    return loader_options([('test', 6)], data_root)


def test_test_tool_without_checkpoint_equals_the_center_prior_tool(repo_root, tmp_path,
                                                                   load_tool, monkeypatch):
    """tools/test.py configs/baselines/center_prior_synthetic.py (no
    checkpoint, or its empty one) gives the centre-prior tool's figures on the
    same split; a model with weights still needs its checkpoint."""
    import uuid
    monkeypatch.delenv('LOCAL_RANK', raising=False)
    data_root = str(tmp_path / 'data')
    config = osp.join(repo_root, 'configs', 'baselines', 'center_prior_synthetic.py')
    options = _tiny_test_options(data_root) + [f'visualizer.name={uuid.uuid4().hex}']
    tested = load_tool('tools/test.py').main(
        [config, '--work-dir', str(tmp_path / 'w'), '--show-dir', 'overlays',
         '--cfg-options'] + options)
    assert len(glob.glob(str(tmp_path / 'w' / 'overlays' / '*.png'))) == 6
    empty = str(tmp_path / 'empty.pth')
    torch.save(dict(state_dict={}, meta={}), empty)
    with_checkpoint = load_tool('tools/test.py').main(
        [config, empty, '--work-dir', str(tmp_path / 'w2'), '--cfg-options'] + options[:-1]
        + [f'visualizer.name={uuid.uuid4().hex}'])
    assert with_checkpoint == tested

    sspl_cfg = Config.fromfile(osp.join(repo_root, 'configs', 'sspl_w_pcm_synthetic.py'))
    sspl_cfg.merge_from_dict({'test_dataloader.dataset.data_root': data_root,
                              'test_dataloader.dataset.num_samples': 6})
    sspl_config = str(tmp_path / 'sspl.py')
    sspl_cfg.dump(sspl_config)
    prior = load_tool('tools/analysis/center_prior.py').main([sspl_config, '--split', 'test'])
    for key, value in tested.items():
        assert prior[key] == pytest.approx(value, abs=1e-12), key
    with pytest.raises(SystemExit, match='has weights; give the CHECKPOINT'):
        load_tool('tools/test.py').main(
            [sspl_config, '--work-dir', str(tmp_path / 'w3'), '--cfg-options',
             'model.visual_backbone.pretrained=None', f'visualizer.name={uuid.uuid4().hex}']
            + _tiny_test_options(data_root))
