"""Clips stored as files: one frame image and one audio file per sample id."""
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from mmengine.logging import print_log
from PIL import Image

from .annotations import read_id_list, scale_boxes
from .base_av_dataset import BaseAVDataset
from .validation import AnnotationError


def frame_size_of(path: str) -> Tuple[int, int]:
    """``(width, height)`` of an image file, read from its header only."""
    try:
        with Image.open(path) as image:
            return image.size
    except FileNotFoundError:
        raise FileNotFoundError(f'{path}: frame not found') from None
    except OSError as exc:
        raise ValueError(f'{path}: cannot read the frame ({exc})') from exc


class FrameAudioDataset(BaseAVDataset):
    """Base of the benchmarks stored as one frame and one audio file per clip
    (the layout written by ``tools/data/prepare_*.py``)::

        data_root/<data_prefix.frame>/<id><frame_suffix>     e.g. frames/<id>.jpg
        data_root/<data_prefix.audio>/<id><audio_suffix>     e.g. audio/<id>.wav
        data_root/<data_prefix.log_mel>/<id>.npy             optional log-mel cache

    Subclasses read the ids (and boxes, if annotated) in
    :meth:`load_records`. Boxes come in the benchmark's own coordinate frame
    (:attr:`box_frame`, ``(width, height)``) and are scaled to pixels of the
    frame as loaded, whose size is read from the image header: a frame of
    another size than the annotation assumed keeps its boxes on the right
    objects.

    Args:
        ann_file: the benchmark's annotation or id list (see subclasses),
            relative to ``data_root`` unless absolute.
        data_root: dataset folder.
        data_prefix: sub-folders: ``frame``, ``audio`` and optionally
            ``log_mel`` (a cache written by ``tools/data/cache_log_mel.py``,
            read by :class:`~sspl.datasets.transforms.LoadCachedLogMel`).
        frame_suffix, audio_suffix: file name endings.
        skip_missing: if True, samples whose frame or audio file is absent are
            dropped at start-up with a warning that counts them (the metric is
            then computed on fewer samples than the benchmark lists); if False
            (default), nothing is checked up-front and a missing file raises
            when it is loaded. Annotated samples always need their frame at
            start-up (its size places the boxes).
        **kwargs: see :class:`mmengine.dataset.BaseDataset` (``pipeline``,
            ``test_mode``, ``indices``, ...).
    """

    #: coordinate frame ``(width, height)`` of the annotation boxes
    box_frame: Tuple[float, float] = (1, 1)
    #: how several boxes of a sample combine into the ground-truth map
    gt_map_mode: str = 'union'

    def __init__(self,
                 ann_file: str = '',
                 data_root: str = '',
                 data_prefix: Optional[Dict[str, str]] = None,
                 frame_suffix: str = '.jpg',
                 audio_suffix: str = '.wav',
                 skip_missing: bool = False,
                 **kwargs):
        self.frame_suffix = frame_suffix
        self.audio_suffix = audio_suffix
        self.skip_missing = skip_missing
        prefix = dict(frame='frames', audio='audio')
        prefix.update(data_prefix or {})
        prefix = {key: value for key, value in prefix.items() if value is not None}
        super().__init__(ann_file=ann_file, data_root=data_root, data_prefix=prefix, **kwargs)

    # ------------------------------------------------------------------
    def load_records(self) -> List[dict]:
        """``[{'sample_id': str, 'boxes': (N, 4) in box_frame units or None,
        'class_name': str or None}, ...]`` in the order of the benchmark."""
        raise NotImplementedError

    def read_ids(self, path: str) -> List[str]:
        return read_id_list(path)

    def frame_path(self, sample_id: str) -> str:
        return osp.join(self.data_prefix['frame'], sample_id + self.frame_suffix)

    def audio_path(self, sample_id: str) -> str:
        return osp.join(self.data_prefix['audio'], sample_id + self.audio_suffix)

    def files_present(self, sample_id: str) -> bool:
        return osp.isfile(self.frame_path(sample_id)) and osp.isfile(self.audio_path(sample_id))

    # ------------------------------------------------------------------
    def load_data_list(self) -> List[dict]:
        records = self.load_records()
        data_list, missing = [], []
        for record in records:
            sample_id = record['sample_id']
            info = dict(sample_id=sample_id, frame_path=self.frame_path(sample_id),
                        audio_path=self.audio_path(sample_id))
            if 'log_mel' in self.data_prefix:
                info['log_mel_path'] = osp.join(self.data_prefix['log_mel'], sample_id + '.npy')
            if self.skip_missing:
                absent = [path for path in (info['frame_path'], info['audio_path'])
                          if not osp.isfile(path)]
                if absent:
                    missing.append(absent[0])
                    continue
            if record.get('boxes') is not None:
                frame_w, frame_h = frame_size_of(info['frame_path'])
                info['gt_bboxes'] = scale_boxes(record['boxes'], self.box_frame,
                                                (frame_w, frame_h))
                info['gt_map_mode'] = self.gt_map_mode
            if record.get('class_name') is not None:
                info['class_name'] = record['class_name']
            data_list.append(info)
        if missing:
            print_log(f'{type(self).__name__} ({self.ann_file}): {len(missing)} of '
                      f'{len(records)} listed samples have no frame or audio file and are '
                      f'skipped (e.g. {missing[0]}); results are over the remaining '
                      f'{len(data_list)} samples, not comparable with the full benchmark.',
                      logger='current', level=30)
        if not data_list:
            raise ValueError(f'{type(self).__name__}: no samples in {self.ann_file}'
                             + (f' ({len(missing)} listed, all missing)' if missing else ''))
        return data_list

    def _records_from_json_or_ids(self, load_annotations: Callable[[str], Dict[str, dict]],
                                  id_file: Optional[str]) -> List[dict]:
        """Records of a JSON annotation (``ann_file`` ending in ``.json``, read
        by ``load_annotations``, optionally subset and ordered by ``id_file``)
        or of an unannotated id list."""
        if not self._is_json(self.ann_file):
            if id_file is not None:
                raise ValueError(f'{type(self).__name__}: id_file is for a JSON ann_file; '
                                 f'{self.ann_file} is an id list already')
            return self._records_from_ids(self.read_ids(self.ann_file))
        return self._records_from_annotations(load_annotations(self.ann_file),
                                              self._ids_or_none(id_file),
                                              id_file or self.ann_file)

    def _records_from_ids(self, ids: Sequence[str]) -> List[dict]:
        return [dict(sample_id=sample_id, boxes=None, class_name=None) for sample_id in ids]

    def _records_from_annotations(self, annotations: Dict[str, dict],
                                  ids: Optional[Sequence[str]], source: str) -> List[dict]:
        """Records of ``ids`` (all annotated samples, in file order, if None);
        an id without an annotation is an error naming the file."""
        if ids is None:
            ids = list(annotations)
        absent = [sample_id for sample_id in ids if sample_id not in annotations]
        if absent:
            raise AnnotationError(f'{source}: {len(absent)} listed ids have no annotation '
                                  f'(e.g. {absent[:3]})')
        return [dict(sample_id=sample_id, boxes=annotations[sample_id]['boxes'],
                     class_name=annotations[sample_id].get('class_name')) for sample_id in ids]

    @staticmethod
    def _is_json(path: str) -> bool:
        return path.lower().endswith('.json')

    def _ids_or_none(self, id_file: Optional[str]) -> Optional[List[str]]:
        if id_file is None:
            return None
        if self.data_root and not osp.isabs(id_file):
            id_file = osp.join(self.data_root, id_file)
        return self.read_ids(id_file)
