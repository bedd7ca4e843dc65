"""Every shipped config parses and builds its model; every metafile names
configs that exist, and every method config is in its metafile and in the
model zoo."""
import glob
import os.path as osp

import pytest
import torch
import yaml
from mmengine.config import Config
from mmengine.model import BaseModel

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_DIR = osp.join(REPO_ROOT, 'configs')


def shipped_configs():
    """Every config a user can pass to the tools: configs/**/*.py but _base_."""
    paths = glob.glob(osp.join(CONFIG_DIR, '**', '*.py'), recursive=True)
    return sorted(osp.relpath(path, REPO_ROOT) for path in paths
                  if '_base_' not in osp.relpath(path, CONFIG_DIR).split(osp.sep))


def metafiles():
    with open(osp.join(REPO_ROOT, 'model-index.yml')) as f:
        index = yaml.safe_load(f)
    return index['Import']


def metafile_models():
    for metafile in metafiles():
        with open(osp.join(REPO_ROOT, metafile)) as f:
            for model in yaml.safe_load(f)['Models']:
                yield metafile, model


def test_configs_are_found():
    configs = shipped_configs()
    assert 'configs/sspl_w_pcm.py' in configs and 'configs/sspl_wo_pcm.py' in configs
    assert any(path.startswith('configs/sspl/') for path in configs)


@pytest.mark.parametrize('config', shipped_configs())
def test_config_parses_and_builds_its_model(config):
    from sspl.registry import MODELS
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    with torch.device('meta'):  # shapes only: nothing allocated, nothing downloaded
        model = MODELS.build(cfg.model)
    assert isinstance(model, BaseModel)
    assert cfg.get('test_dataloader') or cfg.get('test_pipeline'), \
        f'{config}: no test pipeline (the inference API and the demo read it)'


def test_entry_points_are_the_configs_they_name():
    """configs/sspl_w_pcm.py is configs/sspl/...flickr10k.py (a one-line _base_)."""
    entries = {'sspl_w_pcm.py': 'sspl/sspl-w-pcm_vgg16-vggish_2xb128-20e_flickr10k.py',
               'sspl_wo_pcm.py': 'sspl/sspl-wo-pcm_vgg16-vggish_2xb128-20e_flickr10k.py'}
    for entry, target in entries.items():
        assert (Config.fromfile(osp.join(CONFIG_DIR, entry)).to_dict()
                == Config.fromfile(osp.join(CONFIG_DIR, target)).to_dict())


def test_every_metafile_config_exists_and_every_method_config_is_listed():
    listed = set()
    for metafile, model in metafile_models():
        config = model['Config']
        assert osp.isfile(osp.join(REPO_ROOT, config)), f'{metafile}: {config} does not exist'
        assert osp.basename(config) == model['Name'] + '.py', f'{metafile}: {model["Name"]}'
        assert 'Weights' in model and 'Results' in model, f'{metafile}: {model["Name"]}'
        listed.add(config)
    method_configs = {path for path in shipped_configs()
                      if osp.dirname(path) != 'configs'}  # configs/<method>/*.py
    assert method_configs - listed == set(), 'configs missing from the metafiles'


def test_every_metafile_has_its_readme_and_every_model_is_in_the_model_zoo():
    with open(osp.join(REPO_ROOT, 'docs', 'model_zoo.md')) as f:
        model_zoo = f.read()
    for metafile in metafiles():
        with open(osp.join(REPO_ROOT, metafile)) as f:
            for collection in yaml.safe_load(f)['Collections']:
                assert osp.isfile(osp.join(REPO_ROOT, collection['README'])), metafile
        assert metafile in model_zoo, f'docs/model_zoo.md does not point at {metafile}'
    missing = [model['Name'] for _, model in metafile_models() if model['Name'] not in model_zoo]
    assert missing == [], f'models of the metafiles missing from docs/model_zoo.md: {missing}'
