"""Clips stored as files: one frame image and one audio file per sample id."""
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from mmengine.logging import print_log
from PIL import Image

from .annotations import read_id_list, read_negative_pairs, scale_boxes
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


#: sample id of a negative: the frame's id and the audio's
NEGATIVE_ID = '{video}@{audio}'


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
        negatives_file: the negatives of an extended test set (SLAVC's
            ``*_test_plus_silent.csv``: ``video,audio,label`` rows, see
            :func:`~sspl.datasets.annotations.read_negative_pairs`), relative
            to ``data_root`` unless absolute. Each row adds, after the
            positives, a sample with the frame of ``video`` and the audio of
            ``audio`` (another clip's, or the clip's own), no box, metainfo
            ``is_negative=True`` (what the ``extended`` protocol of
            :class:`~sspl.evaluation.LocalizationMetric` reads) and the id
            ``<video>@<audio>`` (:data:`NEGATIVE_ID`). ``skip_missing``
            applies to them as to the positives.
        exclude_id_file: an id list (or several) whose ids are left out of
            the positives, e.g. the test ids, to hold out the other annotated
            clips of an annotation file as a validation split (VGG-SS: the
            5158 records minus SSPL's 4692 test ids = 466 clips); the log
            says how many were left out.
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
                 negatives_file: Optional[str] = None,
                 exclude_id_file: Optional[Union[str, Sequence[str]]] = None,
                 **kwargs):
        self.frame_suffix = frame_suffix
        self.audio_suffix = audio_suffix
        self.skip_missing = skip_missing
        self.negatives_file = negatives_file
        if isinstance(exclude_id_file, str):
            exclude_id_file = [exclude_id_file]
        self.exclude_id_files = list(exclude_id_file or [])
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
        records = self._without_excluded(self.load_records())
        data_list, missing = [], []
        for record in records:
            info = self._sample_info(record['sample_id'], record['sample_id'])
            if self.skip_missing and not self._present(info, missing):
                continue
            if record.get('boxes') is not None:
                frame_w, frame_h = frame_size_of(info['frame_path'])
                info['gt_bboxes'] = scale_boxes(record['boxes'], self.box_frame,
                                                (frame_w, frame_h))
                info['gt_map_mode'] = self.gt_map_mode
            if record.get('class_name') is not None:
                info['class_name'] = record['class_name']
            data_list.append(info)
        listed = len(records)
        if self.negatives_file is not None:
            pairs = read_negative_pairs(self._resolve(self.negatives_file))
            listed += len(pairs)
            for video, audio in pairs:
                info = self._sample_info(NEGATIVE_ID.format(video=video, audio=audio), video,
                                         audio)
                info.update(is_negative=True, pack_meta_keys=('is_negative',))
                if self.skip_missing and not self._present(info, missing):
                    continue
                data_list.append(info)
        if missing:
            print_log(f'{type(self).__name__} ({self.ann_file}): {len(missing)} of '
                      f'{listed} listed samples have no frame or audio file and are '
                      f'skipped (e.g. {missing[0]}); results are over the remaining '
                      f'{len(data_list)} samples, not comparable with the full benchmark.',
                      logger='current', level=30)
        if not data_list:
            raise ValueError(f'{type(self).__name__}: no samples in {self.ann_file}'
                             + (f' ({len(missing)} listed, all missing)' if missing else ''))
        return data_list

    def _sample_info(self, sample_id: str, frame_id: str, audio_id: Optional[str] = None) -> dict:
        """The data-list entry of the frame of ``frame_id`` with the audio of
        ``audio_id`` (default the same clip's)."""
        audio_id = frame_id if audio_id is None else audio_id
        info = dict(sample_id=sample_id, frame_path=self.frame_path(frame_id),
                    audio_path=self.audio_path(audio_id))
        if 'log_mel' in self.data_prefix:  # the cache is per audio clip
            info['log_mel_path'] = osp.join(self.data_prefix['log_mel'], audio_id + '.npy')
        return info

    @staticmethod
    def _present(info: dict, missing: List[str]) -> bool:
        """Whether the sample's frame and audio exist (else its first absent
        file is added to ``missing``)."""
        absent = [path for path in (info['frame_path'], info['audio_path'])
                  if not osp.isfile(path)]
        if absent:
            missing.append(absent[0])
        return not absent

    def _resolve(self, path: str) -> str:
        return osp.join(self.data_root, path) if self.data_root and not osp.isabs(path) else path

    def _without_excluded(self, records: List[dict]) -> List[dict]:
        """``records`` without the ids of ``exclude_id_file``."""
        if not self.exclude_id_files:
            return records
        excluded = set()
        for path in self.exclude_id_files:
            excluded.update(self.read_ids(self._resolve(path)))
        kept = [record for record in records if record['sample_id'] not in excluded]
        print_log(f'{type(self).__name__} ({self.ann_file}): {len(records) - len(kept)} of '
                  f'{len(records)} samples left out (listed in {self.exclude_id_files}); '
                  f'{len(kept)} remain', logger='current')
        return kept

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
        return self.read_ids(self._resolve(id_file))
