#!/usr/bin/env python
"""Prepare Chaotic World (MMVRAC 2024 Track 4) sound-localisation samples from
the videos and the challenge's annotations, as the published Track 4
preparation did.

Inputs (the challenge's ``SSL_ssl_format`` release)::

    VIDEOS/<video>.mp4                 the videos (320 x 180 in the release)
    ANNOTATIONS/<video>.csv            one per video ("group" csvs): columns start_fid
                                       (1-based frame number), start_time (s), bbox
                                       ("[[x0, y0, x1, y1]]", pixels of 320 x 180), ssl (class)
    SPLIT_LIST                         train_ssl.txt / test_ssl.txt: video names

Outputs (sample id ``<video>_<start_fid:06d>``)::

    <out>/frames/<id>.png              frame number start_fid, 320 x 180 (resized if the
                                       video has another size; --frame-size native keeps it)
    <out>/audio/<id>.wav               3 s centred on start_time (16-bit PCM)
    <out>/chaotic_world_<split>.csv    ids of the prepared samples
    <out>/chaotic_world_<split>.json   [{"file", "class", "bbox": [x0, y0, x1, y1]}, ...]
    <out>/chaotic_world_<split>_report.json

As published, a sample whose 3 s window does not fit inside the audio
(start_time < 1.5 s or within 1.5 s of the end) is left out (reported as
too short); when several rows give the same sample id, the last row's box is
kept (the published evaluation's dict did the same).

Example::

    python tools/data/prepare_chaotic_world.py videos_320_180 SSL_ssl_format/annotation/group \
        data/chaotic_world --split-list SSL_ssl_format/annotation/train_ssl.txt --split train
"""
import argparse
import ast
import csv
import os
import os.path as osp
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial
from typing import Dict, List, Optional, Tuple

from sspl.datasets.annotations import write_id_list, write_json_records
from sspl.datasets.preparation import clip_io, prep_runner
from sspl.datasets.preparation.clip_io import ClipError
from sspl.datasets.preparation.prep_runner import Job, SampleResult



@dataclass
class Options:
    out_dir: str
    frame_size: Optional[Tuple[int, int]]
    audio_seconds: float
    sample_rate: Optional[int]


def parse_box(text: str, source: str) -> List[float]:
    """``"[[x0, y0, x1, y1], ...]"`` or ``"[x0, y0, x1, y1]"`` -> the first box
    (read as a Python literal, never evaluated as code)."""
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError) as exc:
        raise ValueError(f'{source}: bbox {text!r} is not a list literal') from exc
    if value and isinstance(value[0], (list, tuple)):
        value = value[0]
    if len(value) != 4:
        raise ValueError(f'{source}: bbox {text!r} does not hold 4 coordinates')
    return [float(v) for v in value]


def read_group_csv(path: str, video: str) -> List[dict]:
    """Samples of one video's annotation csv, one per distinct start_fid
    (the last row wins)."""
    samples: Dict[str, dict] = OrderedDict()
    with open(path, newline='', encoding='utf-8-sig') as f:
        reader = csv.DictReader(f)
        needed = {'start_fid', 'start_time', 'bbox'}
        if not needed <= set(reader.fieldnames or ()):
            raise ValueError(f'{path}: needs the columns {sorted(needed)}, has {reader.fieldnames}')
        for line, row in enumerate(reader, start=2):
            source = f'{path}:{line}'
            try:
                fid, time = int(float(row['start_fid'])), float(row['start_time'])
            except ValueError as exc:
                raise ValueError(f'{source}: bad start_fid / start_time ({exc})') from exc
            sample_id = f'{video}_{fid:06d}'
            samples[sample_id] = dict(sample_id=sample_id, fid=fid, time=time,
                                      box=parse_box(row['bbox'], source),
                                      class_name=row.get('ssl') or row.get('class') or '')
    return list(samples.values())


def sample_files(out_dir: str, sample_id: str) -> Tuple[str, str]:
    return (osp.join(out_dir, 'frames', sample_id + '.png'),
            osp.join(out_dir, 'audio', sample_id + '.wav'))


def prepare_video(options: Options, job: Job) -> List[SampleResult]:
    """All annotated samples of one video."""
    results: Dict[str, SampleResult] = {}
    todo = []
    for target in job.targets:
        frame_path, audio_path = sample_files(options.out_dir, target['sample_id'])
        if osp.isfile(frame_path) and osp.isfile(audio_path):
            results[target['sample_id']] = SampleResult(target['sample_id'], 'existing', job.video)
        else:
            todo.append(target)
    if todo:
        if not job.video:
            raise ClipError('missing', 'no video file for these annotations')
        audio, rate, audio_start = clip_io.decode_audio(job.video)
        windows = {}
        for target in todo:
            try:
                windows[target['sample_id']] = clip_io.audio_window(
                    audio, rate, audio_start, target['time'], options.audio_seconds,
                    require_inside=True)
            except ClipError as exc:
                results[target['sample_id']] = SampleResult(target['sample_id'], exc.category,
                                                            job.video, f'{job.video}: {exc}')
        todo = [target for target in todo if target['sample_id'] in windows]
        frames = clip_io.frames_at_indices(job.video, [t['fid'] - 1 for t in todo]) if todo else []
        for target, frame in zip(todo, frames):
            sample_id = target['sample_id']
            if frame is None:
                results[sample_id] = SampleResult(sample_id, 'too_short', job.video,
                                                  f'{job.video}: no frame number {target["fid"]}')
                continue
            frame_path, audio_path = sample_files(options.out_dir, sample_id)
            if not osp.isfile(frame_path):
                clip_io.write_frame(frame_path, frame, options.frame_size)
            if not osp.isfile(audio_path):
                clip_io.write_wav(audio_path, windows[sample_id], rate,
                                  target_rate=options.sample_rate,
                                  mono=options.sample_rate is not None)
            results[sample_id] = SampleResult(sample_id, 'ok', job.video)
    return [results[target['sample_id']] for target in job.targets]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Prepare Chaotic World sound-localisation samples (frame at the annotated '
        'frame number, 3 s of audio around it, JSON boxes, id list, report)',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('video_dir', help='folder of <video>.mp4 (searched recursively)')
    parser.add_argument('annotation_dir', help='folder of the per-video annotation csvs')
    parser.add_argument('out_dir', help='dataset folder to fill')
    parser.add_argument('--split', default='train', help='name of the split (output names)')
    parser.add_argument('--split-list', help='video names of the split, one per line '
                        '(train_ssl.txt / test_ssl.txt); default: every annotation csv')
    parser.add_argument('--frame-size', default='320x180',
                        help="WIDTHxHEIGHT of the stored frames (the boxes' frame), or 'native'")
    prep_runner.add_common_args(parser)
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    frame_size = None
    if args.frame_size != 'native':
        width, height = (int(v) for v in args.frame_size.lower().split('x'))
        frame_size = (width, height)
    if args.split_list:
        with open(args.split_list) as f:
            video_names = [line.strip() for line in f if line.strip()]
    else:
        video_names = sorted(osp.splitext(name)[0] for name in os.listdir(args.annotation_dir)
                             if name.endswith('.csv'))
    videos = clip_io.find_videos(args.video_dir)
    jobs, annotations, results = [], {}, []
    for video in video_names:
        csv_path = osp.join(args.annotation_dir, video + '.csv')
        if not osp.isfile(csv_path):
            results.append(SampleResult(video, 'missing', videos.get(video, ''),
                                        f'{csv_path}: no annotation csv for this video'))
            continue
        targets = read_group_csv(csv_path, video)
        annotations.update({t['sample_id']: t for t in targets})
        if targets:
            jobs.append(Job(videos.get(video, ''), targets))
    options = Options(out_dir=args.out_dir, frame_size=frame_size,
                      audio_seconds=args.audio_seconds, sample_rate=args.sample_rate)
    print(f'{len(jobs)} videos, {len(annotations)} annotated samples -> {args.out_dir}')
    results += prep_runner.run_jobs(partial(prepare_video, options), jobs, args.nproc)
    usable = [result.sample_id for result in results if result.usable]
    name = f'chaotic_world_{args.split}'
    write_id_list(osp.join(args.out_dir, name + '.csv'), usable)
    # Boxes stay in the annotation's 320 x 180 pixels whatever --frame-size is:
    # ChaoticWorldDataset scales them to the size of the stored frame.
    records = [{'file': sample_id, 'class': annotations[sample_id]['class_name'],
                'bbox': annotations[sample_id]['box']} for sample_id in usable]
    write_json_records(osp.join(args.out_dir, name + '.json'), records)
    return prep_runner.write_report(osp.join(args.out_dir, name + '_report.json'), results,
                                    dict(id_list=osp.join(args.out_dir, name + '.csv'),
                                         annotation=osp.join(args.out_dir, name + '.json')))


if __name__ == '__main__':
    main()
