#!/usr/bin/env python
"""A web page to try a localizer on your own clip: drop a video (or an image
and an audio file) and see where the sound comes from.

    python tools/demo/app.py CONFIG CKPT [CONFIG CKPT ...] [--port 7860] [--host 127.0.0.1]

Several CONFIG CKPT pairs make the models selectable on the page; a model
without weights (``configs/baselines/center_prior_synthetic.py``) takes
``none`` as its checkpoint. Needs the optional extra ``demo``
(``pip install -e .[demo]``: Gradio). The logic is
:mod:`sspl.apis.web_demo`.
"""
import argparse
import sys


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('models', nargs='+', metavar='CONFIG CKPT',
                        help='config and checkpoint pairs (none for a model without weights)')
    parser.add_argument('--host', default='127.0.0.1',
                        help='address to serve on (0.0.0.0: reachable from other machines)')
    parser.add_argument('--port', type=int, default=7860)
    parser.add_argument('--device', default=None, help="default: 'cuda' if there is one")
    parser.add_argument('--share', action='store_true', help="Gradio's public share link")
    parser.add_argument('--max-video-seconds', type=float, default=20.0,
                        help='localise at most this much of a video')
    parser.add_argument('--out-dir', help='where the overlay videos go (default: a temporary '
                        'folder)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        import gradio  # noqa: F401
    except ImportError:
        raise SystemExit('the web demo needs Gradio: pip install -e .[demo] '
                         '(or pip install -r requirements/demo.txt)')
    import torch

    from sspl.apis.web_demo import LocalizationDemo, parse_model_args, serve
    from sspl.utils import register_all_modules
    register_all_modules()
    try:
        specs = parse_model_args(args.models)
    except ValueError as exc:
        raise SystemExit(f'tools/demo/app.py: {exc}')
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    demo = LocalizationDemo(specs, device=device, out_dir=args.out_dir,
                            max_video_seconds=args.max_video_seconds)
    demo.load_all()  # a bad config or checkpoint stops here, not on the first upload
    print(f'models: {", ".join(demo.names)}')
    print(f'serving on http://{args.host}:{args.port}  (Ctrl+C stops)', flush=True)
    serve(demo, host=args.host, port=args.port, share=args.share, block=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
