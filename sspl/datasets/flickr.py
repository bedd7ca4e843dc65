"""SoundNet-Flickr: training lists of frame + audio pairs, and the annotated
test set (250 clips, or the 249 of SSPL's list) with one XML per sample."""
import os.path as osp
from typing import List, Optional

from sspl.registry import DATASETS
from .annotations import FLICKR_BOX_FRAME, load_flickr_annotation
from .frame_audio_dataset import FrameAudioDataset


@DATASETS.register_module()
class FlickrSoundNetDataset(FrameAudioDataset):
    """SoundNet-Flickr clips (layout in ``docs/dataset_preparation.md``)::

        data_root/frames/<id>.jpg       one frame per clip
        data_root/audio/<id>.wav        its audio (any rate / channels)
        data_root/Annotations/<id>.xml  test set only
        data_root/flickr_train_10k.csv  any id list: training 10k, 144k, ...
        data_root/flickr_test249_in5k.csv

    Args:
        ann_file: id list (first csv column; paths such as
            ``videos2/.../6248166344.mp4`` give the id ``6248166344``).
        data_prefix: ``frame``, ``audio``, and ``annotation`` (folder of the
            XMLs; ``None`` for unannotated training lists), optionally
            ``log_mel``.
        **kwargs: see :class:`FrameAudioDataset`.

    Boxes: the XMLs give one box per annotator in pixels of a 256 x 256
    frame; the published evaluation scales them with ``int(224 * v / 256)``,
    i.e. it assumes the test frame is square. Here they are scaled to the
    frame's real size (``v * W / 256``, ``v * H / 256``) and the pipeline
    carries them; on a square frame the ground-truth map equals the published
    one (``mode='consensus'``: summed, halved, clipped at 1).
    """

    box_frame = FLICKR_BOX_FRAME
    gt_map_mode = 'consensus'

    def __init__(self, ann_file: str = '', data_prefix: Optional[dict] = None,
                 frame_suffix: str = '.jpg', **kwargs):
        prefix = dict(frame='frames', audio='audio', annotation=None)
        prefix.update(data_prefix or {})
        super().__init__(ann_file=ann_file, data_prefix=prefix, frame_suffix=frame_suffix,
                         **kwargs)

    def load_records(self) -> List[dict]:
        ids = self.read_ids(self.ann_file)
        annotation_dir = self.data_prefix.get('annotation')
        if annotation_dir is None:
            return self._records_from_ids(ids)
        records = []
        for sample_id in ids:
            if self.skip_missing and not self.files_present(sample_id):
                boxes = None  # dropped (and counted) by load_data_list: its XML may be absent too
            else:
                boxes = load_flickr_annotation(osp.join(annotation_dir, f'{sample_id}.xml'))
            records.append(dict(sample_id=sample_id, class_name=None, boxes=boxes))
        return records
