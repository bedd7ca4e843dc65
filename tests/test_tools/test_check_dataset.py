"""tools/data/check_dataset.py reports every bad frame and audio file of a
split, with a summary, and fails."""
import os
import os.path as osp

import numpy as np
import soundfile

from sspl.testing import truncate


def test_check_dataset_reports_every_bad_file(tmp_path, repo_root, capsys, load_tool):
    check_dataset = load_tool('tools/data/check_dataset.py')
    from sspl.datasets import SyntheticAVDataset
    data_root = str(tmp_path / 'data')
    SyntheticAVDataset(data_root=data_root, split='train', num_samples=5, pipeline=[])
    config = tmp_path / 'cfg.py'
    config.write_text(f"_base_ = ['{repo_root}/configs/sspl_w_pcm_synthetic.py']\n"
                      f"train_dataloader = dict(dataset=dict(data_root='{data_root}', "
                      "num_samples=5))\n")
    args = [str(config), '--split', 'train']
    assert check_dataset.main(args) == 0
    assert 'OK' in capsys.readouterr().out

    frames, audio = osp.join(data_root, 'frames'), osp.join(data_root, 'audio')
    truncate(osp.join(frames, 'train_00000_a.png'))
    os.remove(osp.join(frames, 'train_00001_b.png'))
    os.remove(osp.join(audio, 'train_00002.wav'))
    open(osp.join(audio, 'train_00003.wav'), 'wb').close()
    soundfile.write(osp.join(audio, 'train_00004.wav'), np.zeros(4000, np.float32), 16000)
    assert check_dataset.main(args) == 1
    out = capsys.readouterr().out
    for expected in ['ERROR ' + osp.join(frames, 'train_00000_a.png') + ': cannot decode the image',
                     'ERROR ' + osp.join(frames, 'train_00001_b.png')
                     + ': frame file does not exist',
                     'ERROR ' + osp.join(audio, 'train_00002.wav') + ': audio file does not exist',
                     'ERROR ' + osp.join(audio, 'train_00003.wav') + ': cannot decode the audio',
                     'WARNING ' + osp.join(audio, 'train_00004.wav') + ': audio is 0.25 s long',
                     'WARNING ' + osp.join(audio, 'train_00004.wav') + ': audio is silent']:
        assert expected in out, expected
    summary = out.split('Summary of')[1].splitlines()
    assert summary[2].split() == ['train', '5', '8', '2', '3', '2', '4', '2']
    assert 'FAILED' in out
