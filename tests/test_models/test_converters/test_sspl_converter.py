"""``tools/model_converters/sspl_to_mmengine.py`` run as a tool (its ``main``)
on the published-format files of ``../shared/parity``."""
import os.path as osp
from collections import OrderedDict

import pytest
import torch
from mmengine.config import Config

from sspl.registry import MODELS
from sspl.testing.sspl_parity import converter_argv, load_converter


@pytest.fixture(scope='module')
def converter():
    return load_converter()


def _model_layout(repo_root, variant):
    cfg = Config.fromfile(osp.join(repo_root, 'configs', f'{variant}.py'))
    with torch.device('meta'):
        model = MODELS.build(cfg.model)
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


def _resave_with_prefixes(paths, out_dir, prefixed_kinds):
    """Copies of the published files, with ``module.`` on the keys of
    ``prefixed_kinds`` only."""
    new_paths = {}
    for kind, path in paths.items():
        state = torch.load(path, weights_only=True)
        plain = OrderedDict((k[len('module.'):] if k.startswith('module.') else k, v)
                            for k, v in state.items())
        if kind in prefixed_kinds:
            plain = OrderedDict(('module.' + k, v) for k, v in plain.items())
        new_paths[kind] = str(out_dir / osp.basename(path))
        torch.save(plain, new_paths[kind])
    return new_paths


def test_converts_published_files_with_and_without_module_prefix(
        converter, published_files, repo_root, tmp_path, capsys):
    published = published_files('sspl_w_pcm')  # module. on all but frame_best.pth
    flipped_dir = tmp_path / 'flipped'
    flipped_dir.mkdir()
    flipped = _resave_with_prefixes(published, flipped_dir, prefixed_kinds={'frame'})

    outputs = []
    for paths, name in ((published, 'as_published.pth'), (flipped, 'flipped.pth')):
        out = str(tmp_path / name)
        assert converter.main(converter_argv(paths, out)) == 0
        assert 'wrote' in capsys.readouterr().out
        outputs.append(torch.load(out, weights_only=True))
    first, second = outputs
    assert first['meta']['variant'] == 'sspl_w_pcm'
    assert list(first['state_dict']) == list(second['state_dict'])
    assert all(torch.equal(first['state_dict'][k], second['state_dict'][k])
               for k in first['state_dict'])
    # exactly the keys and shapes of the model of configs/sspl_w_pcm.py
    assert {k: tuple(v.shape) for k, v in first['state_dict'].items()} == _model_layout(
        repo_root, 'sspl_w_pcm')


def test_converted_checkpoint_loads_with_mmengine_load_checkpoint(
        converter, published_files, repo_root, tmp_path):
    """The path of ``tools/test.py``: Runner.load_checkpoint -> mmengine's
    load_checkpoint -> sspl's safe local loader."""
    from mmengine.runner import load_checkpoint

    from sspl.engine.compat import install_safe_checkpoint_loader
    install_safe_checkpoint_loader()  # as tools/train.py and tools/test.py do

    paths = published_files('sspl_wo_pcm')
    out = str(tmp_path / 'sspl_wo_pcm.pth')
    assert converter.main(converter_argv(paths, out)) == 0
    cfg = Config.fromfile(osp.join(repo_root, 'configs', 'sspl_wo_pcm.py'))
    model = MODELS.build(cfg.model)
    checkpoint = load_checkpoint(model, out, map_location='cpu', strict=True, logger='silent')
    assert checkpoint['meta']['variant'] == 'sspl_wo_pcm'
    # spot checks of the renaming, against the published files themselves
    sound = torch.load(paths['sound'], weights_only=True)
    frame = torch.load(paths['frame'], weights_only=True)
    head = torch.load(paths['ssl_head'], weights_only=True)
    state = model.state_dict()
    assert torch.equal(state['audio_head.fc.2.weight'], sound['module.fc.2.weight'])
    assert torch.equal(state['audio_backbone.embeddings.4.bias'], sound['module.embeddings.4.bias'])
    assert torch.equal(state['visual_backbone.features.28.weight'],
                       frame['feat_extractor.28.weight'])
    assert torch.equal(state['head.projector.layer3.1.running_var'],
                       head['module.projector.layer3.1.running_var'])


def test_swapped_files_give_an_error_naming_file_and_keys(
        converter, published_files, tmp_path, capsys):
    paths = dict(published_files('sspl_w_pcm'))
    paths['sound'], paths['pcm'] = paths['pcm'], paths['sound']
    out = str(tmp_path / 'never_written.pth')
    assert converter.main(converter_argv(paths, out)) != 0
    error = capsys.readouterr().err
    assert paths['sound'] in error                 # the pcm file given as --sound
    assert 'is not a published sound checkpoint' in error
    assert 'module.PredProcess.0.weight' in error
    assert not osp.exists(out)


def test_file_missing_a_part_is_named(converter, tmp_path, capsys):
    """A sound file without its audio head (e.g. a bare VGGish file)."""
    files = dict(frame={'feat_extractor.0.weight': torch.zeros(1)},
                 sound={'module.features.0.weight': torch.zeros(1),
                        'module.embeddings.0.weight': torch.zeros(1)},
                 ssl_head={'module.projector.layer1.0.weight': torch.zeros(1)})
    paths = {}
    for kind, state in files.items():
        paths[kind] = str(tmp_path / f'{kind}_best.pth')
        torch.save(state, paths[kind])
    assert converter.main(converter_argv(paths, str(tmp_path / 'out.pth'))) != 0
    error = capsys.readouterr().err
    assert paths['sound'] in error and r'^fc\.' in error
