"""tools/data/make_synthetic.py writes every synthetic split of a config."""
import json
import os.path as osp

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_writes_the_splits_of_the_config(tmp_path, capsys, load_tool):
    tool = load_tool('tools/data/make_synthetic.py')
    root = str(tmp_path / 'data')
    options = []
    for split, num in (('train', 4), ('val', 2), ('test', 3)):
        options += [f'{split}_dataloader.dataset.data_root={root}',
                    f'{split}_dataloader.dataset.num_samples={num}']
    config = osp.join(REPO_ROOT, 'configs', 'sspl_w_pcm_synthetic.py')
    assert tool.main([config, '--cfg-options'] + options) == 0
    out = capsys.readouterr().out
    for split, num in (('train', 4), ('val', 2), ('test', 3)):
        with open(osp.join(root, 'annotations', f'{split}.json')) as f:
            assert len(json.load(f)) == num
        assert f"{num} clips of split '{split}' in {root}" in out
        assert osp.isfile(osp.join(root, 'frames', f'{split}_{num - 1:05d}_b.png'))
        assert osp.isfile(osp.join(root, 'audio', f'{split}_{num - 1:05d}.wav'))
