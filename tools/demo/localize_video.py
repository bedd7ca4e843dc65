#!/usr/bin/env python
"""Where does the sound come from? Overlay a localizer's heatmap on a video.

    python tools/demo/localize_video.py VIDEO CONFIG CHECKPOINT --out OUT.mp4
    python tools/demo/localize_video.py VIDEO CONFIG CHECKPOINT --frame 2.5 --out OUT.png

For each video frame at time t, the model sees the frame and the audio window
centred at t, both through the test pipeline of CONFIG (its audio rate and,
unless ``--window``, its window length). Near the start and end the window is
shifted to stay inside the clip; a clip shorter than the window is tiled, as
the dataset's ``LoadAudio`` does. The heatmap (JET, blended like the published
``save_visual``) is drawn over the part of the frame the network saw (a grey
outline marks it when it is a crop). The output video keeps the frame rate and
the (even-cropped) frame size, and carries the mono audio at the pipeline's
rate unless ``--no-audio``. Runs on CPU. The logic is
:mod:`sspl.apis.video_inference`.
"""
import argparse
import os.path as osp
from typing import Optional


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Overlay sound source localisation maps on a '
                                     'video')
    parser.add_argument('video', help='input video with an audio track')
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', required=True,
                        help='output video (e.g. out.mp4), or a PNG with --frame')
    parser.add_argument('--frame', type=float, default=None, metavar='T',
                        help='only the frame at T seconds, written as a PNG')
    parser.add_argument('--device', default='cpu', help="e.g. 'cpu' or 'cuda:0'")
    parser.add_argument('--window', type=float, default=None,
                        help='audio window in seconds, centred at each frame (default: the '
                        "test pipeline's LoadAudio duration, the model's training length)")
    parser.add_argument('--interval', type=int, default=1,
                        help='compute a map every N frames and hold it in between (faster)')
    parser.add_argument('--batch-size', type=int, default=4, help='frames per forward pass')
    parser.add_argument('--alpha', type=float, default=0.5, help='heatmap weight in the blend')
    parser.add_argument('--no-audio', action='store_true', help='write the video without sound')
    args = parser.parse_args(argv)
    if args.interval < 1 or args.batch_size < 1:
        parser.error('--interval and --batch-size must be >= 1')
    if args.window is not None and args.window <= 0:
        parser.error('--window must be > 0')
    return args


def main(argv=None) -> Optional[str]:
    args = parse_args(argv)
    from sspl.apis import init_localizer
    from sspl.apis.video_inference import VideoLocalizer, localize_frame, localize_video
    from sspl.utils import register_all_modules
    register_all_modules()
    if not osp.isfile(args.video):
        raise FileNotFoundError(f'{args.video}: no such video file')
    model = init_localizer(args.config, args.checkpoint, device=args.device)
    localizer = VideoLocalizer(model, args.video, window=args.window)
    if args.frame is not None:
        time = localize_frame(localizer, args.video, args.frame, args.out, args.alpha)
        print(f'frame at {time:.3f} s -> {args.out}')
        return args.out
    written = localize_video(localizer, args.video, args.out, interval=args.interval,
                             batch_size=args.batch_size, alpha=args.alpha,
                             with_audio=not args.no_audio)
    print(f'{written} frames -> {args.out}')
    return args.out


if __name__ == '__main__':
    main()
