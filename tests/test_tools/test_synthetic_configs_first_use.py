"""Every shipped synthetic config runs from a fresh clone with the commands the
README gives: ``tools/train.py CONFIG`` from an empty work dir and an empty
data dir builds what the config needs (the synthetic split, the synthetic
backbone, each with a log line saying so), trains and keeps a best
checkpoint, and ``tools/test.py CONFIG CKPT`` scores it.

The configs are shrunk only in size (clips, epochs, workers, the backbone's
pretraining recipe) through ``--cfg-options``, the way a user would; what
each builds and where is the config's own. The synthetic configs on the real
ImageNet VGG16 (``*_imagenet.py``, ``*-224px.py``: torchvision downloads the
weights on the user's machine) are left out: no download here; their weights
selection is tested in ``test_imagenet_vgg16_available.py``."""
import glob
import os
import os.path as osp
import sys

import pytest
from mmengine.config import Config

from sspl.testing import REPO_ROOT, run_command



def synthetic_configs():
    """The shipped synthetic configs that need no download."""
    found = []
    for path in sorted(glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*synthetic*.py'),
                                 recursive=True)):
        relative = osp.relpath(path, REPO_ROOT)
        if '_base_' in relative or 'imagenet' in relative or '224px' in relative:
            continue
        found.append(relative)
    return found


CONFIGS = synthetic_configs()


def test_the_list_has_every_method_family():
    names = ' '.join(CONFIGS)
    for expected in ('configs/sspl_w_pcm_synthetic.py', 'configs/sspl_wo_pcm_synthetic.py',
                     'ezvsl', 'slavc', 'fnac', 'center_prior'):
        assert expected in names, (expected, CONFIGS)


def shrink(cfg, data_root: str, backbone_dir: str) -> list:
    """--cfg-options: a few clips, one epoch, no workers, a small backbone
    pretraining into ``backbone_dir`` (the config's own file name)."""
    options = ['default_hooks.logger.interval=1']
    if cfg.get('train_cfg') and cfg.get('train_dataloader'):
        options.append('train_cfg.max_epochs=1')
    for split, num in (('train', 8), ('val', 4), ('test', 4)):
        loader = cfg.get(f'{split}_dataloader')
        if not loader:
            continue
        options += [f'{split}_dataloader.batch_size=4', f'{split}_dataloader.num_workers=0',
                    f'{split}_dataloader.persistent_workers=False',
                    f'{split}_dataloader.dataset.data_root={data_root}',
                    f'{split}_dataloader.dataset.num_samples={num}']
        if 'num_negatives' in loader.dataset:
            options.append(f'{split}_dataloader.dataset.num_negatives=2')
    for backbone in ('visual_backbone', 'audio_backbone'):
        pretrained = (cfg.model.get(backbone) or {}).get('pretrained')
        if isinstance(pretrained, str) and pretrained.endswith('.pth'):
            options.append(f'model.{backbone}.pretrained='
                           f'{osp.join(backbone_dir, osp.basename(pretrained))}')
    if 'synthetic_backbone' in (cfg.get('default_hooks') or {}):
        options += [f'default_hooks.synthetic_backbone.pretrain_options.{key}={value}'
                    for key, value in (('num_clips', 4), ('epochs', 1), ('batch_size', 4))]
    return options


@pytest.mark.slow
@pytest.mark.parametrize('config', CONFIGS)
def test_train_and_test_from_empty_dirs(config, tmp_path):
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    data_root = str(tmp_path / 'data')
    backbone_dir = str(tmp_path / 'backbones')
    work_dir = str(tmp_path / 'work')
    options = shrink(cfg, data_root, backbone_dir)
    trains = bool(cfg.get('train_dataloader'))
    if trains:
        out = run_command([sys.executable, osp.join(REPO_ROOT, 'tools', 'train.py'), config,
                           '--work-dir', work_dir, '--cfg-options'] + options, timeout=900)
        assert os.listdir(data_root), 'the synthetic split was not generated'
        assert 'synthetic dataset: generating' in out, out[-3000:]
        if any('synthetic_backbone' in o for o in options):
            assert os.listdir(backbone_dir), 'the synthetic backbone was not built'
            assert 'does not exist: building it now' in out, out[-3000:]
        checkpoints = glob.glob(osp.join(work_dir, 'best_*.pth'))
        assert checkpoints, os.listdir(work_dir)
        checkpoint = [checkpoints[0]]
    else:  # a model without weights (the centre prior): tools/test.py CONFIG alone
        checkpoint = []
    out = run_command([sys.executable, osp.join(REPO_ROOT, 'tools', 'test.py'), config] +
                      checkpoint + ['--work-dir', str(tmp_path / 'test'), '--cfg-options'] +
                      options, timeout=900)
    assert 'Test results of' in out, out[-3000:]
    for key in ('cIoU', 'AUC', 'mean_cIoU', 'pointing_game'):
        assert key in out.split('Test results of', 1)[1], (key, out[-2000:])
