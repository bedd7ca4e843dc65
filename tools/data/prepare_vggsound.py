#!/usr/bin/env python
"""Prepare VGG-Sound clips (training subsets and the VGG-SS test set) from
downloaded videos (``<youtube id>_<start:06d>.mp4``, usually 10 s).

Training subset::

    python tools/data/prepare_vggsound.py VIDEOS data/vggsound \
        --ids vggsound_train_144k.csv --list-name vggsound_train_144k --nproc 8

VGG-SS test set (the middle frame is the annotated one; the records of the
prepared ids are written to data/vggsound/vggss_test.json)::

    python tools/data/prepare_vggsound.py VIDEOS data/vggsound \
        --ids vggss_test_4692.csv --list-name vggss_test \
        --annotations vggss_test_5158.json

Extended VGG-SS (SLAVC): the 5158 test clips, and what the negatives need
beyond them (the 379 clips shown with their own audio); writes
data/vggsound/vggss_test_negatives.csv, the negatives that are ready::

    python tools/data/prepare_vggsound.py VIDEOS data/vggsound \
        --ids vggss_test_5158.csv --list-name vggss_test \
        --annotations vggss_test_5158.json \
        --negatives extended_vggss_test_plus_silent.csv

Layout and options: docs/dataset_preparation.md and ``--help``.
"""
from sspl.datasets.preparation import middle_frame


def parse_args(argv=None):
    parser = middle_frame.build_parser('VGG-Sound', 'vggsound_train')
    parser.add_argument('--annotations', help='VGG-SS json (vggss_test_5158.json); the records '
                        'of the prepared ids are written to <out_dir>/<list-name>.json')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    return middle_frame.run(args, middle_frame.filter_vggss_json)


if __name__ == '__main__':
    main()
