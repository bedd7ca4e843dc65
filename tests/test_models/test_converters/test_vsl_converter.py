"""tools/model_converters/ezvsl_to_mmengine.py: published EZ-VSL / SLAVC /
FNAC checkpoints (numpy scalars inside, ``module.`` prefix or not) become sspl
checkpoints that the configs' models load strictly; unsafe or foreign files
are refused with the file named."""
import os
import os.path as osp
import uuid

import pytest
import torch

from sspl.apis import init_localizer
from sspl.testing.vsl_parity import CONFIGS, load_spec, published_checkpoint
from sspl.utils import safe_load

CONVERTER = 'tools/model_converters/ezvsl_to_mmengine.py'


@pytest.fixture(scope='module')
def published(parity_dir, tmp_path_factory):
    """The published EZ-VSL best.pth (DDP keys with ``module.``) and the same
    file without the prefix, as FNAC's one-GPU scripts save."""
    out = tmp_path_factory.mktemp('ezvsl_published')
    checkpoint = published_checkpoint(load_spec(parity_dir, 'ezvsl'))
    with_prefix = str(out / 'best.pth')
    torch.save(checkpoint, with_prefix)
    plain = dict(checkpoint, model={k[len('module.'):]: v for k, v in checkpoint['model'].items()})
    without_prefix = str(out / 'best_single_gpu.pth')
    torch.save(plain, without_prefix)
    return with_prefix, without_prefix


def test_published_file_needs_the_numpy_allow_list(published):
    """As the README says: torch's weights_only load refuses the published
    file (its numpy.float64 scores); the converter reads it."""
    with pytest.raises(Exception, match='scalar'):
        torch.load(published[0], weights_only=True)
    unsafe = torch.serialization.get_unsafe_globals_in_checkpoint(published[0])
    assert any('multiarray.scalar' in name for name in unsafe)


def test_converts_with_and_without_module_prefix(published, repo_root, load_tool, tmp_path):
    tool = load_tool(CONVERTER)
    outs = []
    for index, path in enumerate(published):
        out = str(tmp_path / f'converted{index}.pth')
        assert tool.main(['--method', 'ezvsl', path, out]) == 0
        outs.append(out)
    first, second = (safe_load(out) for out in outs)  # plain weights_only: nothing unsafe left
    assert list(first['state_dict']) == list(second['state_dict'])
    assert all(torch.equal(first['state_dict'][k], second['state_dict'][k])
               for k in first['state_dict'])
    meta = first['meta']
    assert meta['method'] == 'ezvsl' and meta['epoch'] == 100
    assert meta['published_best'] == pytest.approx(dict(cIoU=0.8193, Auc=0.6258))
    assert all(type(v) is float for v in meta['published_best'].values())
    model = init_localizer(osp.join(repo_root, CONFIGS['ezvsl']), outs[1])  # strict
    assert len(model.state_dict()) == 244


def test_slavc_keys_and_swapped_scores(parity_dir, tmp_path):
    """Every SLAVC key (momentum copies included) is placed, and the scores
    its train.py swapped (F1 under best_AP, AP under best_F1) are restored."""
    from sspl.models.converters import convert_published_checkpoint
    from sspl.testing.vsl_parity import _top_level_value, state_dict_entries
    spec = load_spec(parity_dir, 'slavc')
    checkpoint = {item['name']: _top_level_value(item) for item in spec['top_level']
                  if item['type'] != 'state_dict'}
    checkpoint['model'] = {entry['key']: torch.zeros(1) for entry in state_dict_entries(spec)}
    path = str(tmp_path / 'latest.pth')
    torch.save(checkpoint, path)
    state_dict, meta = convert_published_checkpoint('slavc', path)
    assert len(state_dict) == 496
    assert 'momentum_visual_proj2.proj.bias' in state_dict
    assert 'momentum_audio_backbone.layer4.1.bn2.running_var' in state_dict
    assert meta['published_best'] == pytest.approx(
        dict(Precision=checkpoint['best_Precision'], AP=checkpoint['best_F1'],
             F1=checkpoint['best_AP']))


class Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


def test_file_with_code_is_refused_and_never_run(load_tool, tmp_path, capsys):
    marker = tmp_path / f'pwned_{uuid.uuid4().hex}'
    path = str(tmp_path / 'best.pth')
    torch.save({'model': {'module.imgnet.conv1.weight': torch.zeros(1)},
                'best_cIoU': Exploit(marker)}, path)
    assert load_tool(CONVERTER).main(['--method', 'ezvsl', path, str(tmp_path / 'o.pth')]) == 1
    assert 'refused to load' in capsys.readouterr().err
    assert not marker.exists()
    assert not osp.exists(tmp_path / 'o.pth')


def test_wrong_method_names_file_and_keys(published, load_tool, tmp_path, capsys):
    out = str(tmp_path / 'o.pth')
    assert load_tool(CONVERTER).main(['--method', 'slavc', published[0], out]) == 1
    err = capsys.readouterr().err
    assert 'best.pth' in err and 'is not a published slavc checkpoint' in err
    assert 'img_proj1' in err  # the parts it misses are named
    assert 'module.img_proj.weight' in err  # and the keys it cannot place
    assert not osp.exists(out)
