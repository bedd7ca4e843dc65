"""Legacy h5 packs written by the published preparation scripts.

The published code (and the prepared Chaotic World pack) stores a split as
three h5 files, each with one dataset:

- ``h5py_<split>_frames<suffix>.h5``: ``<split>_frames`` ``(N, 256, 256, 3)``
  float32 RGB in 0..255, every frame squashed to 256 x 256 (OpenCV
  INTER_CUBIC) by the packing step;
- ``h5py_<split>_audios<suffix>.h5``: ``<split>_audios`` ``(N, 48000)``
  float32, the centred 3 s at 16 kHz, min-max normalised;
- ``h5py_<split>_spects<suffix>.h5``: ``<split>_spects`` ``(N, 3, 96, 64)``
  float32 VGGish log-mel examples of that waveform.

A large split is sharded: ``h5py_train_frames_144k_1.h5`` ...
``_144k_10.h5`` (the published 144k packs: 10 files of 14400).
:class:`H5PackDataset` reads one file or any number of shards, sizes taken
from the files.
"""
import bisect
import glob
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from sspl.registry import DATASETS
from .annotations import (CHAOTIC_WORLD_BOX_FRAME, FLICKR_BOX_FRAME, VGGSS_BOX_FRAME,
                          load_chaotic_world_annotations, load_flickr_annotation,
                          load_vggss_annotations, read_id_list, scale_boxes)
from .base_av_dataset import BaseAVDataset
from .validation import AnnotationError

PACK_KINDS = ('frames', 'audios', 'spects')

# Open h5 files of this process, keyed by (path, pid): a worker forked from a
# process that had files open opens its own handles (h5py handles must not be
# shared across fork); each file is opened once per process, not per sample.
_OPEN_FILES: Dict[Tuple[str, int], object] = {}


def _import_h5py():
    try:
        import h5py
    except ImportError as exc:  # optional extra
        raise ImportError('Reading legacy h5 packs needs h5py: pip install h5py '
                          '(listed in requirements/optional.txt)') from exc
    return h5py


def open_h5(path: str):
    """The read-only h5py file of ``path`` for the current process (opened on
    first use in each process, then reused)."""
    key = (path, os.getpid())
    handle = _OPEN_FILES.get(key)
    if handle is None:
        h5py = _import_h5py()
        for stale in [k for k in _OPEN_FILES if k[1] != key[1]]:
            del _OPEN_FILES[stale]  # inherited through fork: never used here
        handle = h5py.File(path, 'r')
        _OPEN_FILES[key] = handle
    return handle


def close_open_h5() -> None:
    """Close the files this process opened (e.g. before deleting them)."""
    pid = os.getpid()
    for key in [k for k in _OPEN_FILES if k[1] == pid]:
        _OPEN_FILES.pop(key).close()


def find_pack_shards(data_root: str, pack: str, kind: str) -> List[str]:
    """Files of one kind of a pack, in shard order.

    ``pack`` is a template with ``{kind}``, e.g. ``'h5py_train_{kind}_144k'``:
    ``<pack>.h5`` if it exists, else ``<pack>_<n>.h5`` for every integer n,
    sorted by n (so ``_10`` follows ``_9``).
    """
    stem = osp.join(data_root, pack.format(kind=kind))
    if osp.isfile(stem + '.h5'):
        return [stem + '.h5']
    pattern = re.compile(re.escape(osp.basename(stem)) + r'_(\d+)\.h5$')
    shards = []
    for path in glob.glob(glob.escape(stem) + '_*.h5'):
        match = pattern.match(osp.basename(path))
        if match:
            shards.append((int(match.group(1)), path))
    return [path for _, path in sorted(shards)]


def pack_dataset_key(path: str, kind: str) -> str:
    """Name of the ``(N, ...)`` dataset in a pack file: the one ending in
    ``_<kind>`` (``train_frames``, ``test_spects``, ...)."""
    h5py = _import_h5py()
    with h5py.File(path, 'r') as f:
        keys = [key for key in f.keys() if isinstance(f[key], h5py.Dataset)]
    matching = [key for key in keys if key.endswith(kind)]
    if len(matching) != 1:
        raise ValueError(f'{path}: expected one dataset named *{kind} (e.g. train_{kind}), '
                         f'found {keys}')
    return matching[0]


def _shard_lengths(paths: Sequence[str], key: str) -> List[int]:
    h5py = _import_h5py()
    lengths = []
    for path in paths:
        with h5py.File(path, 'r') as f:
            lengths.append(int(f[key].shape[0]))
    return lengths


def _row_shape(path: str, key: str) -> Tuple[int, ...]:
    h5py = _import_h5py()
    with h5py.File(path, 'r') as f:
        return tuple(f[key].shape[1:])


_ANNOTATION_FORMATS = {
    'flickr': FLICKR_BOX_FRAME,
    'vggss': VGGSS_BOX_FRAME,
    'chaotic_world': CHAOTIC_WORLD_BOX_FRAME,
}


@DATASETS.register_module()
class H5PackDataset(BaseAVDataset):
    """A split stored in the published h5 layout (see the module docstring).

    Each sample gives the pipeline ``img`` (``np.uint8`` of the stored frame,
    as the published loader did), ``waveform`` ``(48000,)`` (the stored,
    already normalised window) and ``log_mel`` ``(3, 1, 96, 64)`` (the stored
    examples); :class:`LoadFrame` and :class:`LoadAudio` keep them, so the
    pipeline is the usual one without ``VGGishLogMel``. A pack without the
    spects file gives only the waveform (the data preprocessor then computes
    the log-mel on the device).

    Files are opened lazily, once per data-loader worker process.

    Args:
        data_root: folder of the pack.
        pack: file-name template with ``{kind}``: ``'h5py_train_{kind}_10k'``,
            ``'h5py_train_{kind}_144k'`` (shards ``_1`` ... ``_n``),
            ``'h5py_test_{kind}'``, ``'h5py_train_{kind}'`` (Chaotic World).
        id_file: sample ids in row order (``vggss_test_4692.csv``,
            ``ChaoticWorld_test.csv``); needed for annotated packs. Without
            it ids are ``<row:07d>``.
        ann_file: annotation of the ids: a VGG-SS or Chaotic World JSON, or a
            folder of Flickr XMLs (``ann_format`` says which).
        ann_format: ``'vggss'``, ``'chaotic_world'`` or ``'flickr'``.
        kinds: which of ``frames``, ``audios``, ``spects`` to read
            (``frames`` is required; absent optional kinds are skipped).
        **kwargs: see :class:`mmengine.dataset.BaseDataset`.

    Boxes are scaled from the benchmark's coordinate frame (256 x 256 Flickr,
    [0, 1] VGG-SS, 320 x 180 Chaotic World) to the pack's frame (256 x 256:
    the squash is applied to the boxes too), so the published test view
    (shorter side to 224, centre crop: a plain resize of a square) gives the
    published ground-truth maps.
    """

    def __init__(self,
                 data_root: str = '',
                 pack: str = 'h5py_train_{kind}_10k',
                 id_file: Optional[str] = None,
                 ann_file: str = '',
                 ann_format: Optional[str] = None,
                 kinds: Sequence[str] = PACK_KINDS,
                 **kwargs):
        if '{kind}' not in pack:
            raise ValueError(f"H5PackDataset: pack must contain '{{kind}}', got {pack!r}")
        if ann_file and ann_format not in _ANNOTATION_FORMATS:
            raise ValueError(f'H5PackDataset: ann_format must be one of '
                             f'{sorted(_ANNOTATION_FORMATS)} with an ann_file, got {ann_format!r}')
        unknown = set(kinds) - set(PACK_KINDS)
        if unknown or 'frames' not in kinds:
            raise ValueError(f'H5PackDataset: kinds must include frames and be among '
                             f'{PACK_KINDS}, got {tuple(kinds)}')
        self.pack = pack
        self.id_file = id_file
        self.ann_format = ann_format
        self.kinds = tuple(kinds)
        self.shards: Dict[str, List[str]] = {}
        self.dataset_keys: Dict[str, str] = {}
        self.offsets: List[int] = []
        super().__init__(data_root=data_root, ann_file=ann_file, **kwargs)

    # ------------------------------------------------------------------
    def _discover(self) -> int:
        for kind in self.kinds:
            paths = find_pack_shards(self.data_root, self.pack, kind)
            if not paths:
                if kind == 'frames':
                    raise FileNotFoundError(
                        f'H5PackDataset: no {self.pack.format(kind=kind)}.h5 or '
                        f'{self.pack.format(kind=kind)}_<n>.h5 in {self.data_root}')
                continue
            self.shards[kind] = paths
            self.dataset_keys[kind] = pack_dataset_key(paths[0], kind)
        if 'audios' not in self.shards and 'spects' not in self.shards:
            raise FileNotFoundError(f'H5PackDataset: {self.pack} in {self.data_root} has '
                                    'frames but neither audios nor spects')
        lengths = {kind: _shard_lengths(paths, self.dataset_keys[kind])
                   for kind, paths in self.shards.items()}
        reference = lengths['frames']
        for kind, kind_lengths in lengths.items():
            if kind_lengths != reference:
                raise ValueError(f'H5PackDataset: {kind} shards {self.shards[kind]} hold '
                                 f'{kind_lengths} samples but the frames shards hold {reference}')
        self.frame_shape = _row_shape(self.shards['frames'][0], self.dataset_keys['frames'])
        if len(self.frame_shape) != 3 or self.frame_shape[2] != 3:
            raise ValueError(f"H5PackDataset: {self.shards['frames'][0]}: frames must be "
                             f'(N, H, W, 3), got rows of {self.frame_shape}')
        self.offsets = list(np.cumsum([0] + reference))
        return int(self.offsets[-1])

    def _boxes(self, ids: List[str]) -> Optional[List[np.ndarray]]:
        if not self.ann_file:
            return None
        if self.ann_format == 'flickr':
            boxes = [load_flickr_annotation(osp.join(self.ann_file, f'{sample_id}.xml'))
                     for sample_id in ids]
        else:
            load = (load_vggss_annotations if self.ann_format == 'vggss'
                    else load_chaotic_world_annotations)
            annotations = load(self.ann_file)
            absent = [sample_id for sample_id in ids if sample_id not in annotations]
            if absent:
                raise AnnotationError(f'{self.ann_file}: {len(absent)} ids of the pack have no '
                                      f'annotation (e.g. {absent[:3]})')
            boxes = [annotations[sample_id]['boxes'] for sample_id in ids]
        frame_h, frame_w = self.frame_shape[:2]
        box_frame = _ANNOTATION_FORMATS[self.ann_format]
        return [scale_boxes(b, box_frame, (frame_w, frame_h)) for b in boxes]

    def load_data_list(self) -> List[dict]:
        num_samples = self._discover()
        if self.id_file is not None:
            id_file = self.id_file
            if self.data_root and not osp.isabs(id_file):
                id_file = osp.join(self.data_root, id_file)
            ids = read_id_list(id_file)
            if len(ids) != num_samples:
                raise ValueError(f'H5PackDataset: {id_file} lists {len(ids)} ids but the pack '
                                 f'{self.pack} in {self.data_root} holds {num_samples} samples')
        elif self.ann_file:
            raise ValueError('H5PackDataset: an annotated pack needs id_file (the ids in row '
                             'order) to match rows with annotations')
        else:
            ids = [f'{index:07d}' for index in range(num_samples)]
        boxes = self._boxes(ids)
        data_list = []
        for index, sample_id in enumerate(ids):
            info = dict(sample_id=sample_id, pack_index=index)
            if boxes is not None:
                info['gt_bboxes'] = boxes[index]
                info['gt_map_mode'] = 'consensus' if self.ann_format == 'flickr' else 'union'
            data_list.append(info)
        return data_list

    # ------------------------------------------------------------------
    def _read(self, kind: str, index: int) -> np.ndarray:
        shard = bisect.bisect_right(self.offsets, index) - 1
        handle = open_h5(self.shards[kind][shard])
        return handle[self.dataset_keys[kind]][index - self.offsets[shard]]

    def get_data_info(self, idx: int) -> dict:
        """The sample's metadata with the pack's arrays: ``img`` ``(H, W, 3)``
        uint8, ``waveform`` ``(48000,)`` float32, ``log_mel`` ``(T, 1, 96, 64)``
        float32 (those the pack has)."""
        info = super().get_data_info(idx)
        index = info['pack_index']
        info['img'] = np.uint8(self._read('frames', index))
        if 'audios' in self.shards:
            info['waveform'] = np.asarray(self._read('audios', index), dtype=np.float32)
        if 'spects' in self.shards:
            info['log_mel'] = np.asarray(self._read('spects', index), dtype=np.float32)[:, None]
        return info
