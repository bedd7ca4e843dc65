"""Base class of the audio-visual localisation datasets."""
from mmengine.dataset import BaseDataset

from sspl.registry import DATASETS


@DATASETS.register_module()
class BaseAVDataset(BaseDataset):
    """An mmengine :class:`BaseDataset` whose ``load_data_list`` returns one dict
    per clip with:

    - ``sample_id`` (str);
    - ``frame_path`` (str, or a list of paths: one frame per view), or ``img``
      (an ``(H, W, 3)`` uint8 array) for in-memory frames;
    - ``audio_path`` (str), or ``waveform`` for pre-processed audio;
    - for annotated splits ``gt_bboxes`` ``(N, 4)`` float ``x0, y0, x1, y1`` in
      pixels of the frame as loaded (a list of such arrays, one per frame, when
      ``frame_path`` is a list) and ``gt_map_mode`` (``'union'`` or
      ``'consensus'``, see :func:`sspl.evaluation.functional.boxes_to_gt_map`).

    The pipeline (``LoadFrame``, ``LoadAudio``, ... ``PackAVInputs``) turns that
    into network inputs and a :class:`LocalizationDataSample`.
    """

    def load_data_list(self):
        raise NotImplementedError(f'{type(self).__name__} must implement load_data_list()')
