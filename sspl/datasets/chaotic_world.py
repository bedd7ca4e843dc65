"""Chaotic World (MMVRAC 2024 Track 4, sound source localisation)."""
from typing import List, Optional, Tuple

from sspl.registry import DATASETS
from .annotations import CHAOTIC_WORLD_BOX_FRAME, load_chaotic_world_annotations
from .frame_audio_dataset import FrameAudioDataset


@DATASETS.register_module()
class ChaoticWorldDataset(FrameAudioDataset):
    """Chaotic World clips, as the MMVRAC Track 4 preparation makes them
    (layout in ``docs/dataset_preparation.md``)::

        data_root/frames/<video>_<fid:06d>.png    320 x 180 frame at the annotation
        data_root/audio/<video>_<fid:06d>.wav     3 s centred on it
        data_root/chaotic_world_{train,test}.csv  id lists
        data_root/chaotic_world_{train,test}.json boxes

    Args:
        ann_file: an id list (``.csv`` / ``.txt``) or a Chaotic World JSON
            (``{"file", "class", "bbox": [x0, y0, x1, y1]}``, pixels of a
            ``box_frame`` frame).
        id_file: with a JSON ``ann_file``, the ids to use and their order.
        box_frame: ``(width, height)`` the boxes refer to (320 x 180).
        frame_suffix: ``.png`` (the published frames).
        **kwargs: see :class:`FrameAudioDataset`.

    Boxes are scaled to pixels of the frame as loaded. The published test
    view squashes the frame to a square (its h5 pack holds 256 x 256 frames),
    so the test pipeline is ``Resize((224, 224))``, which gives the published
    ground-truth map ``int(x * 224 / 320)``, ``int(y * 224 / 180)``.
    """

    gt_map_mode = 'union'

    def __init__(self, ann_file: str = '', id_file: Optional[str] = None,
                 box_frame: Tuple[int, int] = CHAOTIC_WORLD_BOX_FRAME,
                 frame_suffix: str = '.png', **kwargs):
        self.id_file = id_file
        self.box_frame = tuple(box_frame)
        super().__init__(ann_file=ann_file, frame_suffix=frame_suffix, **kwargs)

    def load_records(self) -> List[dict]:
        return self._records_from_json_or_ids(load_chaotic_world_annotations, self.id_file)
