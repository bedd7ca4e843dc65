#!/usr/bin/env python
"""Can the demo use torchvision's ImageNet VGG16? Exit 0 if yes, 1 if not
(with the reason on stdout).

Yes needs a CUDA GPU (the full VGG16 at 224 px makes a CPU epoch of the
synthetic set take tens of minutes; ``--allow-cpu`` lifts this) and the
weights, either already in torch's hub cache or downloaded now (into that
cache, as ``VGG16(pretrained='torchvision')`` would). ``tools/run_demo.sh``
uses it to pick ``configs/sspl_w_pcm_synthetic_imagenet.py`` over the
synthetic-pretrained stand-in.

    python tools/synthetic/imagenet_vgg16_available.py [--allow-cpu] [--no-download]
"""
import argparse
import os.path as osp
import socket
import sys


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--allow-cpu', action='store_true',
                        help='answer yes without a CUDA GPU too')
    parser.add_argument('--no-download', action='store_true',
                        help='only look in the hub cache')
    parser.add_argument('--timeout', type=float, default=20.0,
                        help='seconds to wait for the download server')
    return parser.parse_args(argv)


def cached_weights_path() -> str:
    """Where torchvision keeps the ImageNet VGG16 weights (``$TORCH_HOME/hub/checkpoints``)."""
    import torch
    from torchvision.models import VGG16_Weights
    filename = osp.basename(VGG16_Weights.IMAGENET1K_V1.url)
    return osp.join(torch.hub.get_dir(), 'checkpoints', filename)


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch
    if not args.allow_cpu and not torch.cuda.is_available():
        print('ImageNet VGG16 not used: no CUDA GPU (the full VGG16 is too slow for the '
              'CPU demo)')
        return 1
    path = cached_weights_path()
    if osp.isfile(path):
        print(f'ImageNet VGG16 weights: {path}')
        return 0
    if args.no_download:
        print(f'ImageNet VGG16 not used: {path} is not there (--no-download)')
        return 1
    from torchvision.models import VGG16_Weights
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(args.timeout)
    try:
        VGG16_Weights.IMAGENET1K_V1.get_state_dict(progress=True, check_hash=True)
    except Exception as error:  # no network, proxy, disk full, bad download ...
        print(f'ImageNet VGG16 not used: download of {VGG16_Weights.IMAGENET1K_V1.url} '
              f'failed ({type(error).__name__}: {error})')
        return 1
    finally:
        socket.setdefaulttimeout(previous)
    print(f'ImageNet VGG16 weights downloaded: {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
