#!/usr/bin/env python
"""Prepare SoundNet-Flickr clips from downloaded videos.

Training list (10k, 144k or any list)::

    python tools/data/prepare_flickr.py VIDEOS data/flickr \
        --ids flickr_train_10k.csv --list-name flickr_train_10k --nproc 8

Test set (the released annotated frames go to data/flickr/frames/ first: they
are kept, and only their audio is extracted; the XMLs of prepared ids are
copied to data/flickr/Annotations/)::

    python tools/data/prepare_flickr.py VIDEOS data/flickr \
        --ids flickr_test249_in5k.csv --list-name flickr_test249 \
        --annotations 5k_labeled/Annotations

Extended Flickr (SLAVC): add ``--negatives extended_flickr_test_plus_silent.csv``;
the frame of each negative's video (kept if copied beforehand) and the audio
of each negative's audio clip are prepared too, and
data/flickr/<list-name>_negatives.csv lists the negatives that are ready.

Layout and options: docs/dataset_preparation.md and ``--help``.
"""
from sspl.datasets.preparation import middle_frame


def parse_args(argv=None):
    parser = middle_frame.build_parser('SoundNet-Flickr', 'flickr_train')
    parser.add_argument('--annotations', help='folder of the test XMLs (<id>.xml); those of '
                        'the prepared ids are copied to <out_dir>/Annotations/')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    return middle_frame.run(args, middle_frame.copy_flickr_xmls)


if __name__ == '__main__':
    main()
