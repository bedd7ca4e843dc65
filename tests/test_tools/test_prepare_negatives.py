"""The preparation tools produce what an extended test set's negatives need
(the frame of each video, the audio of each audio clip, beyond the test
list) and list the negatives that are ready."""
import os.path as osp

import soundfile

from sspl.datasets import FlickrSoundNetDataset, VGGSoundDataset
from sspl.datasets.annotations import (read_id_list, read_negative_pairs, write_flickr_xml,
                                       write_id_list, write_json_records, write_negative_pairs)
from sspl.testing import make_video, write_frame


def test_vggsound_negatives_with_own_and_other_audio(tmp_path, load_tool):
    videos, out = tmp_path / 'videos', str(tmp_path / 'vggsound')
    test_ids = ['testA_000010', 'testB_000020']
    for sample_id in test_ids + ['outside_000005']:
        make_video(str(videos / f'{sample_id}.mp4'), seconds=3.0)
    write_json_records(osp.join(out, 'vggss.json'), [
        {'file': f, 'class': 'dog', 'bbox': [[0.1, 0.2, 0.6, 0.9]]} for f in test_ids])
    write_id_list(osp.join(out, 'test.csv'), test_ids)
    # A test frame with another test clip's audio, a clip outside the list with
    # its own audio, and one whose video we do not have.
    write_negative_pairs(str(tmp_path / 'plus_silent.csv'), [
        ('testA_000010', 'testB_000020'), ('outside_000005', 'outside_000005'),
        ('gone_000001', 'gone_000001')])
    report = load_tool('tools/data/prepare_vggsound.py').main([
        str(videos), out, '--ids', osp.join(out, 'test.csv'), '--list-name', 'vggss_test',
        '--annotations', osp.join(out, 'vggss.json'), '--negatives',
        str(tmp_path / 'plus_silent.csv'), '--nproc', '1'])
    # The positives' list holds the test clips only; the negatives' clips are prepared too.
    assert read_id_list(osp.join(out, 'vggss_test.csv')) == test_ids
    assert osp.isfile(osp.join(out, 'frames', 'outside_000005.jpg'))
    assert soundfile.info(osp.join(out, 'audio', 'outside_000005.wav')).duration > 2.9
    negatives = osp.join(out, 'vggss_test_negatives.csv')
    assert read_negative_pairs(negatives) == [('testA_000010', 'testB_000020'),
                                              ('outside_000005', 'outside_000005')]
    assert (report['negatives']['listed'], report['negatives']['ready']) == (3, 2)
    assert report['negatives']['not_ready'][0]['video'] == 'gone_000001'
    assert [p['sample_id'] for p in report['problems']['missing']] == ['gone_000001']
    dataset = VGGSoundDataset(data_root=out, ann_file='vggss_test.json', id_file='vggss_test.csv',
                              negatives_file='vggss_test_negatives.csv', test_mode=True,
                              pipeline=[])
    assert len(dataset) == 4 and dataset.get_data_info(3)['is_negative']


def test_flickr_negative_frame_given_beforehand_needs_no_video(tmp_path, load_tool):
    """SLAVC's 250th Flickr frame is only a negative's frame: copied from the
    annotated release, it is kept and its video is not needed."""
    videos, out = tmp_path / 'videos', str(tmp_path / 'flickr')
    for sample_id in ('2001', '2002'):
        make_video(str(videos / f'{sample_id}.mp4'), seconds=3.0)
        write_flickr_xml(str(tmp_path / 'xml' / f'{sample_id}.xml'), [[40, 30, 200, 220]])
    write_frame(osp.join(out, 'frames', '3908875350.jpg'), (64, 48))
    write_id_list(osp.join(out, 'test.csv'), ['2001', '2002'])
    write_negative_pairs(str(tmp_path / 'neg.csv'), [('2001', '2002'), ('2002', '2001'),
                                                     ('3908875350', '2001')])
    report = load_tool('tools/data/prepare_flickr.py').main([
        str(videos), out, '--ids', osp.join(out, 'test.csv'), '--list-name', 'flickr_test',
        '--annotations', str(tmp_path / 'xml'), '--negatives', str(tmp_path / 'neg.csv'),
        '--nproc', '1'])
    assert report['counts']['existing'] == 1 and 'missing' not in report['problems']
    assert not osp.isfile(osp.join(out, 'audio', '3908875350.wav'))  # its audio is not needed
    assert report['negatives']['ready'] == 3
    dataset = FlickrSoundNetDataset(data_root=out, ann_file='flickr_test.csv',
                                    data_prefix=dict(annotation='Annotations'),
                                    negatives_file='flickr_test_negatives.csv', test_mode=True,
                                    pipeline=[])
    assert [dataset.get_data_info(i)['sample_id'] for i in range(5)] == [
        '2001', '2002', '2001@2002', '2002@2001', '3908875350@2001']
