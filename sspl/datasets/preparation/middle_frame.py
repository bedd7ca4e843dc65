"""Shared by ``prepare_flickr.py`` and ``prepare_vggsound.py``: one sample per
video, the frame shown at the middle of the video and the audio around it.

Per video (id = file name without extension)::

    <out>/frames/<id>.jpg   the frame at the middle of the video stream, native size
    <out>/audio/<id>.wav    --audio-seconds (3 s) centred on that frame, 16-bit PCM,
                            the video's rate and channels (or --sample-rate, mono)

The middle frame is the published choice: the SoundNet-Flickr packing step
took the middle one of the extracted frames, and VGG-SS boxes annotate the
middle frame of the 10 s clip. Audio shorter than the window is stored whole
(the loader tiles it, as the published code does); audio shorter than
--min-audio-seconds is reported as too short and left out.

Outputs that exist are kept (written to a temporary name, then renamed, so
an existing file is complete): a re-run only does what is missing, and a
frame put in ``frames/`` beforehand (e.g. the released annotated Flickr test
frames) is kept while its audio is extracted.

``--negatives`` (an extended test set's ``video,audio,label`` csv, SLAVC's
``*_test_plus_silent.csv``) also prepares what its negatives need that
``--ids`` does not give: the frame of each ``video`` and the audio of each
``audio`` (another clip's, or the clip's own: Extended VGG-SS has 379 clips
outside the test list shown with their own audio), and writes
``<list-name>_negatives.csv``, the rows whose frame and audio are ready.
"""
import argparse
import json
import os
import os.path as osp
import shutil
from dataclasses import dataclass
from functools import partial
from typing import List, Optional

from sspl.datasets.annotations import (read_id_list, read_negative_pairs, write_id_list,
                                       write_json_records, write_negative_pairs)
from . import clip_io, prep_runner
from .clip_io import ClipError
from .prep_runner import Job, SampleResult

#: what a sample of the dataset needs; a clip named only by a negative may need one of them
BOTH = ('frame', 'audio')


@dataclass
class Options:
    out_dir: str
    frame_ext: str
    audio_seconds: float
    min_audio_seconds: float
    sample_rate: Optional[int]


def frame_file(out_dir: str, sample_id: str, frame_ext: str) -> str:
    return osp.join(out_dir, 'frames', sample_id + frame_ext)


def audio_file(out_dir: str, sample_id: str) -> str:
    return osp.join(out_dir, 'audio', sample_id + '.wav')


def prepare_video(options: Options, job: Job) -> List[SampleResult]:
    """Frame + audio of one video (``job.targets``: one ``{'sample_id'}``,
    optionally ``'needs'``: ``('frame',)`` or ``('audio',)`` for a clip that
    a negative needs only the frame or the audio of; default both)."""
    sample_id = job.targets[0]['sample_id']
    needs = job.targets[0].get('needs', BOTH)
    frame_path = frame_file(options.out_dir, sample_id, options.frame_ext)
    audio_path = audio_file(options.out_dir, sample_id)
    need_frame = 'frame' in needs and not osp.isfile(frame_path)
    need_audio = 'audio' in needs and not osp.isfile(audio_path)
    if not (need_frame or need_audio):
        return [SampleResult(sample_id, 'existing', job.video)]
    if not job.video:
        raise ClipError('missing', f'no video for id {sample_id}')
    # Decode everything first: nothing is written for a video that fails.
    audio, rate, audio_start = clip_io.decode_audio(job.video)
    if audio.shape[1] < options.min_audio_seconds * rate:
        raise ClipError('too_short', f'{job.video}: {audio.shape[1] / rate:.2f} s of audio, '
                        f'less than --min-audio-seconds {options.min_audio_seconds:g}')
    center = clip_io.middle_time(job.video)
    frame = clip_io.frames_at_times(job.video, [center])[0] if need_frame else None
    window = clip_io.audio_window(audio, rate, audio_start, center, options.audio_seconds)
    if need_frame:
        clip_io.write_frame(frame_path, frame)
    if need_audio:
        clip_io.write_wav(audio_path, window, rate, target_rate=options.sample_rate,
                          mono=options.sample_rate is not None)
    return [SampleResult(sample_id, 'ok', job.video)]


def build_parser(benchmark: str, default_list_name: str, extra_help: str = '') -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=f'Prepare {benchmark} clips from a folder of videos: the middle frame and '
        'the audio around it per video, an id list of the prepared clips and a report. '
        + extra_help,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('video_dir', help='folder of videos (searched recursively)')
    parser.add_argument('out_dir', help='dataset folder to fill (frames/, audio/, lists)')
    parser.add_argument('--ids', help='only these ids (a csv/txt list, first column, or a '
                        'VGG-SS style json); ids without a video are reported as missing')
    parser.add_argument('--list-name', default=default_list_name,
                        help='write <out_dir>/<list-name>.csv (prepared ids) and '
                        '<list-name>_report.json')
    parser.add_argument('--negatives', help='an extended test set\'s negatives (video,audio,label '
                        'csv, e.g. extended_vggss_test_plus_silent.csv): also prepare the frame of '
                        'each video and the audio of each audio it names, and write '
                        '<out_dir>/<list-name>_negatives.csv (the rows that are ready)')
    parser.add_argument('--frame-ext', default='.jpg', choices=['.jpg', '.png'])
    parser.add_argument('--min-audio-seconds', type=float, default=1.0,
                        help='videos with less audio are reported as too short')
    prep_runner.add_common_args(parser)
    return parser


def wanted_ids(path: Optional[str]) -> Optional[List[str]]:
    if path is None:
        return None
    if path.lower().endswith('.json'):
        with open(path) as f:
            return [str(record['file']) for record in json.load(f)]
    return read_id_list(path)


def run(args, copy_annotations=None) -> dict:
    """Prepare the videos, write the id list and the report; returns the
    report. ``copy_annotations(args, usable_ids)`` writes the benchmark's
    annotation for the prepared ids (optional)."""
    videos = clip_io.find_videos(args.video_dir)
    ids = wanted_ids(args.ids)
    if ids is None:
        ids = sorted(videos)
    negatives = getattr(args, 'negatives', None)
    pairs = read_negative_pairs(negatives) if negatives else []
    jobs = [Job(videos.get(sample_id, ''), [dict(sample_id=sample_id)]) for sample_id in ids]
    jobs += [Job(videos.get(sample_id, ''), [dict(sample_id=sample_id, needs=needs)])
             for sample_id, needs in negative_needs(pairs, ids).items()]
    options = Options(out_dir=args.out_dir, frame_ext=args.frame_ext,
                      audio_seconds=args.audio_seconds, min_audio_seconds=args.min_audio_seconds,
                      sample_rate=args.sample_rate)
    print(f'{len(jobs)} videos -> {args.out_dir} ({args.nproc} processes)')
    results = prep_runner.run_jobs(partial(prepare_video, options), jobs, args.nproc)
    usable = [result.sample_id for result in results[:len(ids)] if result.usable]
    list_path = osp.join(args.out_dir, f'{args.list_name}.csv')
    write_id_list(list_path, usable)
    extra = dict(id_list=list_path)
    if negatives:
        extra['negatives'] = write_ready_negatives(args, options, pairs)
    if copy_annotations is not None:
        extra['annotation'] = copy_annotations(args, usable)
    return prep_runner.write_report(osp.join(args.out_dir, f'{args.list_name}_report.json'),
                                    results, extra)


def negative_needs(pairs, ids) -> dict:
    """``{clip id: needs}`` of the clips the negatives name beyond ``ids``:
    ``'frame'`` for a ``video``, ``'audio'`` for an ``audio``, in csv order."""
    listed = set(ids)
    needs: dict = {}
    for video, audio in pairs:
        for sample_id, need in ((video, 'frame'), (audio, 'audio')):
            if sample_id not in listed:
                needs.setdefault(sample_id, set()).add(need)
    return {sample_id: tuple(need for need in BOTH if need in wanted)
            for sample_id, wanted in needs.items()}


def write_ready_negatives(args, options: Options, pairs) -> dict:
    """Write ``<list-name>_negatives.csv``: the negatives whose frame and
    audio files exist; returns the report's entry (counts, first absentees)."""
    ready, absent = [], []
    for video, audio in pairs:
        frame = frame_file(options.out_dir, video, options.frame_ext)
        sound = audio_file(options.out_dir, audio)
        missing = [path for path in (frame, sound) if not osp.isfile(path)]
        if missing:
            absent.append(dict(video=video, audio=audio, missing=missing))
        else:
            ready.append((video, audio))
    path = osp.join(args.out_dir, f'{args.list_name}_negatives.csv')
    if ready:
        write_negative_pairs(path, ready)
    print(f'{len(ready)} of {len(pairs)} negatives ready'
          + (f': {path}' if ready else '') + (f'; {len(absent)} lack a file (e.g. '
                                               f"{absent[0]['missing'][0]})" if absent else ''))
    return dict(file=path if ready else None, listed=len(pairs), ready=len(ready),
                not_ready=absent)


def copy_flickr_xmls(args, usable_ids: List[str]) -> Optional[str]:
    """Copy ``<annotations>/<id>.xml`` of the prepared ids to
    ``<out_dir>/Annotations/``."""
    if not getattr(args, 'annotations', None):
        return None
    target = osp.join(args.out_dir, 'Annotations')
    os.makedirs(target, exist_ok=True)
    for sample_id in usable_ids:
        source = osp.join(args.annotations, f'{sample_id}.xml')
        if osp.isfile(source):
            shutil.copyfile(source, osp.join(target, f'{sample_id}.xml'))
    return target


def filter_vggss_json(args, usable_ids: List[str]) -> Optional[str]:
    """Write ``<out_dir>/<list-name>.json``: the records of the VGG-SS style
    ``--annotations`` json whose ids were prepared."""
    if not getattr(args, 'annotations', None):
        return None
    with open(args.annotations) as f:
        records = json.load(f)
    keep = set(usable_ids)
    target = osp.join(args.out_dir, f'{args.list_name}.json')
    write_json_records(target, [record for record in records if str(record['file']) in keep])
    return target
