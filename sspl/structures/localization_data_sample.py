"""Data sample of one audio-visual clip: ground truth and prediction."""
from mmengine.structures import BaseDataElement


class LocalizationDataSample(BaseDataElement):
    """What travels with a sample besides the network inputs.

    Metainfo (set by the dataset and the transforms): ``sample_id``,
    ``frame_path``, ``audio_path``, ``ori_shape`` (H, W) of the loaded frame,
    ``img_shape`` (H, W) of the network input, ``gt_bboxes`` (N, 4) x0, y0, x1, y1
    in ``img_shape`` pixels, ``gt_map_mode`` (``'consensus'`` or ``'union'``).

    Data fields:
        gt_map: ``(H, W)`` float tensor, the ground-truth map at ``img_shape``
            (consensus-weighted in [0, 1] for Flickr, binary otherwise).
        pred_sim_map: ``(h, w)`` float tensor, the raw cosine-similarity map the
            localizer predicts (``(14, 14)`` for SSPL).
    """
