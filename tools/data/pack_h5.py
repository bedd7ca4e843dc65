#!/usr/bin/env python
"""Write a prepared dataset split as a legacy h5 pack (the published layout,
read by ``H5PackDataset``): every frame squashed to 256 x 256 with OpenCV
INTER_CUBIC and stored as float32, the normalised 3 s waveform and its VGGish
log-mel examples, as the published ``read_frame_audio_then_save_hdf5.py``
did. Reading a pack is faster than decoding a jpg and a wav per sample.

    python tools/data/pack_h5.py configs/sspl_w_pcm.py --split train \
        --out data/flickr/10k_unlabeled --name 'h5py_train_{kind}_10k'

writes ``h5py_train_{frames,audios,spects}_10k.h5`` (datasets
``train_frames`` (N, 256, 256, 3), ``train_audios`` (N, 48000),
``train_spects`` (N, 3, 96, 64)) and ``h5py_train_ids_10k.csv`` (ids in row
order). ``--shard-size 14400`` splits it into ``..._1.h5``, ``..._2.h5``, ...
as the published 144k packs. Samples that fail to load are left out and
reported.
"""
import argparse
import os
import os.path as osp
from concurrent.futures import ProcessPoolExecutor
from typing import Optional, Tuple

import numpy as np
from mmengine.config import DictAction

from sspl.datasets.preparation import prep_runner
from sspl.datasets.preparation.prep_runner import SampleResult

PACK_FRAME_SIZE = 256


def squash_frame(rgb: np.ndarray, size: int = PACK_FRAME_SIZE) -> np.ndarray:
    """The published packing step: resize to ``size`` x ``size`` ignoring the
    aspect ratio, OpenCV INTER_CUBIC, stored as float32 ``(size, size, 3)``
    (RGB, 0..255)."""
    import cv2
    return cv2.resize(np.ascontiguousarray(rgb), (size, size),
                      interpolation=cv2.INTER_CUBIC).astype(np.float32)


def read_frame_bgr_as_rgb(path: str) -> np.ndarray:
    """Read a frame with OpenCV (the published packing step's decoder) as RGB."""
    import cv2
    frame = cv2.imread(path, cv2.IMREAD_COLOR)
    if frame is None:
        raise ValueError(f'{path}: cannot read the frame')
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)


def pack_sample(info: dict) -> Tuple[str, Optional[tuple], str]:
    """``(sample_id, (frame, waveform, log_mel) or None, error message)``."""
    from sspl.datasets.transforms import LoadAudio, VGGishLogMel
    try:
        frame = squash_frame(read_frame_bgr_as_rgb(info['frame_path']))
        results = VGGishLogMel()(LoadAudio()(dict(audio_path=info['audio_path'])))
        return info['sample_id'], (frame, results['waveform'], results['log_mel'][:, 0]), ''
    except Exception as exc:
        return info['sample_id'], None, f'{type(exc).__name__}: {exc}'


class PackWriter:
    """Appends samples to ``<out>/<name>[_<n>].h5`` files, ``shard_size`` per shard."""

    def __init__(self, out_dir: str, name: str, split: str, shard_size: int, total: int):
        import h5py
        self.h5py = h5py
        self.out_dir, self.name, self.split = out_dir, name, split
        self.shard_size = shard_size if shard_size > 0 else max(total, 1)
        self.sharded = shard_size > 0 and total > shard_size
        self.files, self.count, self.shard = None, 0, 0

    def _open_shard(self):
        self.close()
        self.shard += 1
        self.files = {}
        for kind, shape in (('frames', (PACK_FRAME_SIZE, PACK_FRAME_SIZE, 3)),
                            ('audios', (48000,)), ('spects', (3, 96, 64))):
            stem = self.name.format(kind=kind) + (f'_{self.shard}' if self.sharded else '')
            handle = self.h5py.File(osp.join(self.out_dir, stem + '.h5.tmp'), 'w')
            handle.create_dataset(f'{self.split}_{kind}', shape=(0,) + shape,
                                  maxshape=(None,) + shape, dtype='float32',
                                  chunks=(1,) + shape)
            self.files[kind] = handle

    def append(self, frame, waveform, log_mel):
        if self.files is None or self.count % self.shard_size == 0:
            self._open_shard()
        for kind, row in (('frames', frame), ('audios', waveform), ('spects', log_mel)):
            data = self.files[kind][f'{self.split}_{kind}']
            data.resize(data.shape[0] + 1, axis=0)
            data[-1] = row
        self.count += 1

    def close(self):
        if self.files:
            for handle in self.files.values():
                path = handle.filename
                handle.close()
                os.replace(path, path[:-len('.tmp')])
        self.files = None


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Write a dataset split as a legacy h5 pack',
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('--split', default='train', choices=['train', 'val', 'test'])
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--name', default=None,
                        help="file template with {kind}; default 'h5py_<split>_{kind}'")
    parser.add_argument('--pack-split', default=None,
                        help="prefix of the h5 dataset names (train_frames, ...); default: "
                        "'train' for --split train, else 'test'")
    parser.add_argument('--shard-size', type=int, default=0, help='samples per file (0: one file)')
    parser.add_argument('--nproc', type=int, default=max(1, (os.cpu_count() or 2) // 2))
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    from mmengine.config import Config
    from mmengine.utils import ProgressBar
    from sspl.datasets.annotations import write_id_list
    from sspl.registry import DATASETS
    from sspl.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    dataset_cfg = cfg[f'{args.split}_dataloader']['dataset'].copy()
    dataset_cfg['pipeline'] = []
    dataset = DATASETS.build(dataset_cfg)
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    pack_split = args.pack_split or ('train' if args.split == 'train' else 'test')
    name = args.name or f'h5py_{pack_split}_{{kind}}'
    os.makedirs(args.out, exist_ok=True)
    writer = PackWriter(args.out, name, pack_split, args.shard_size, len(infos))
    results, packed_ids = [], []
    progress = ProgressBar(len(infos))
    executor = ProcessPoolExecutor(max_workers=args.nproc) if args.nproc > 1 else None
    outputs = (executor.map(pack_sample, infos, chunksize=8) if executor
               else map(pack_sample, infos))
    try:
        for info, (sample_id, arrays, message) in zip(infos, outputs):
            if arrays is None:
                results.append(SampleResult(sample_id, 'corrupt', info.get('frame_path', ''),
                                            message))
            else:
                writer.append(*arrays)
                packed_ids.append(sample_id)
                results.append(SampleResult(sample_id, 'ok', info.get('frame_path', '')))
            progress.update()
    finally:
        writer.close()
        if executor:
            executor.shutdown()
    print()
    ids_path = osp.join(args.out, name.format(kind='ids') + '.csv')
    write_id_list(ids_path, packed_ids)
    return prep_runner.write_report(osp.join(args.out, name.format(kind='pack') + '_report.json'),
                                    results, dict(id_list=ids_path))


if __name__ == '__main__':
    main()
