"""A wrong key or a value of the wrong type in a config fails at start,
naming the config file and the key path."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from sspl.testing import REPO_ROOT, SYNTHETIC_CONFIG
from sspl.utils.config_validation import ConfigError, config_problems, validate_config


@pytest.mark.parametrize('config', sorted(
    path for path in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in path.split(osp.sep)), ids=osp.basename)
def test_every_shipped_config_is_valid(config):
    assert config_problems(Config.fromfile(config)) == []


MISTAKES = [
    ({'model.visual_backbone.num_stage': 4},
     "model.visual_backbone.num_stage: VGG16 has no argument 'num_stage' (did you mean "
     "'num_stages'?)"),
    ({'model.visual_backbone.num_stages': '4'},
     "model.visual_backbone.num_stages: VGG16 expects int, got str '4'"),
    ({'model.neck.cycles': 4.5},
     'model.neck.cycles: PredictiveCodingModule expects int, got float 4.5'),
    ({'model.head.loss.type': 'SimSiamLos'},
     "model.head.loss.type: 'SimSiamLos' is not a registered model (did you mean 'SimSiamLoss'?)"),
    ({'train_dataloader.batch_size': '4'},
     "train_dataloader.batch_size: expects int | None, got str '4'"),
    ({'train_dataloader.bach_size': 4},
     "train_dataloader.bach_size: not a dataloader setting (did you mean 'batch_size'?)"),
    ({'train_dataloader.dataset.num_sample': 4},
     "train_dataloader.dataset.num_sample: SyntheticAVDataset has no argument 'num_sample' "
     "(did you mean 'num_samples'?)"),
    ({'val_dataloader.dataset.pipeline.0.type': 'LoadFram'},
     "val_dataloader.dataset.pipeline[0].type: 'LoadFram' is not a registered transform "
     "(did you mean 'LoadFrame'?)"),
    ({'train_dataloader.dataset.pipeline.3.transforms.1.size': '112'},
     "train_dataloader.dataset.pipeline[3].transforms[1].size"),
    ({'train_cfg.max_epoch': 8},
     "train_cfg.max_epoch: EpochBasedTrainLoop has no argument 'max_epoch' (did you mean "
     "'max_epochs'?)"),
    ({'train_cfg.max_epochs': '8'},
     "train_cfg.max_epochs: EpochBasedTrainLoop expects int, got str '8'"),
    ({'optim_wrapper.optimizer.lrr': 1e-3},
     "optim_wrapper.optimizer.lrr: AdamW has no argument 'lrr' (did you mean 'lr'?)"),
    ({'default_hooks.checkpoint.intervall': 1},
     "default_hooks.checkpoint.intervall: AtomicCheckpointHook has no argument 'intervall' "
     "(did you mean 'interval'?)"),
    ({'val_evaluator.protocl': 'fixed'},
     "val_evaluator.protocl: CIoUMetric has no argument 'protocl' (did you mean 'protocol'?)"),
    ({'randomness.sed': 1}, "randomness.sed: unknown key (did you mean 'seed'?)"),
    ({'env_cfg.cudnn_benchmak': True}, "env_cfg.cudnn_benchmak: unknown key (did you mean "
                                       "'cudnn_benchmark'?)"),
    ({'train_dataloder': {}},
     "train_dataloder: not a key the runner reads (did you mean 'train_dataloader'?)"),
    ({'visualizer.vis_backends.0.save_dirr': 'x'},
     "visualizer.vis_backends[0].save_dirr: LocalVisBackend has no argument 'save_dirr' "
     "(did you mean 'save_dir'?)"),
]


@pytest.mark.parametrize('options,problem', MISTAKES, ids=[next(iter(m[0])) for m in MISTAKES])
def test_mistakes_are_named_with_the_config_and_key(options, problem):
    cfg = Config.fromfile(SYNTHETIC_CONFIG)
    cfg.merge_from_dict(options)
    with pytest.raises(ConfigError) as info:
        validate_config(cfg, SYNTHETIC_CONFIG)
    message = str(info.value)
    assert message.startswith(f'{SYNTHETIC_CONFIG}: invalid config (1 problem(s)):')
    assert problem in message


def test_config_variables_are_not_mistakes():
    cfg = Config.fromfile(SYNTHETIC_CONFIG)
    cfg.merge_from_dict({'lr_backbone': 1e-4, 'my_pipeline': [dict(type='LoadFrame')],
                         'image_size': 224})
    assert config_problems(cfg) == []


def test_train_tool_fails_before_building_anything(tmp_path, monkeypatch, load_tool):
    monkeypatch.delenv('LOCAL_RANK', raising=False)
    train = load_tool('tools/train.py')
    built = []
    monkeypatch.setattr(train.Runner, 'from_cfg', classmethod(lambda cls, cfg: built.append(cfg)))
    with pytest.raises(ConfigError, match=r'sspl_w_pcm_synthetic\.py: invalid config .*\n'
                                          r"  train_cfg\.max_epoch: "):
        train.main([SYNTHETIC_CONFIG, '--work-dir', str(tmp_path),
                    '--cfg-options', 'train_cfg.max_epoch=3'])
    assert built == []  # failed before the Runner was built
