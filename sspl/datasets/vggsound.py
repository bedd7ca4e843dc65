"""VGG-Sound training subsets and the VGG-SS test set."""
from typing import List, Optional

from sspl.registry import DATASETS
from .annotations import VGGSS_BOX_FRAME, load_vggss_annotations
from .frame_audio_dataset import FrameAudioDataset


@DATASETS.register_module()
class VGGSoundDataset(FrameAudioDataset):
    """VGG-Sound clips (layout in ``docs/dataset_preparation.md``)::

        data_root/frames/<id>.jpg           the middle frame of the clip
        data_root/audio/<id>.wav            3 s around it (any rate / channels)
        data_root/vggsound_train_10k.csv    training id lists
        data_root/vggss_test_5158.json      VGG-SS boxes
        data_root/vggss_test_4692.csv       SSPL's test ids

    Args:
        ann_file: an id list (``.csv`` / ``.txt``, unannotated training
            subsets) or the VGG-SS JSON (``.json``: ``{"file", "class",
            "bbox": [[x0, y0, x1, y1], ...]}`` in [0, 1]).
        id_file: with a JSON ``ann_file``, the ids to use and their order
            (``vggss_test_4692.csv`` for SSPL's 4692; None: every record, the
            5158 of LVS). Relative to ``data_root`` unless absolute.
        **kwargs: see :class:`FrameAudioDataset`.

    Boxes are scaled to pixels of the frame as loaded (``v * W``, ``v * H``).
    The published test view of VGG-SS squashes the frame (its h5 pack holds
    256 x 256 frames), so the test pipeline is ``Resize((224, 224))``; the
    ground-truth map is then the published ``int(224 * max(v, 0))`` union.
    """

    box_frame = VGGSS_BOX_FRAME
    gt_map_mode = 'union'

    def __init__(self, ann_file: str = '', id_file: Optional[str] = None, **kwargs):
        self.id_file = id_file
        super().__init__(ann_file=ann_file, **kwargs)

    def load_records(self) -> List[dict]:
        return self._records_from_json_or_ids(load_vggss_annotations, self.id_file)
