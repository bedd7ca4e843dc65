"""Packing a transformed sample into network inputs and a data sample."""
from typing import Sequence

import numpy as np
import torch

from sspl.evaluation.functional import boxes_to_gt_map
from sspl.registry import TRANSFORMS
from sspl.structures import LocalizationDataSample


@TRANSFORMS.register_module()
class PackAVInputs:
    """Make ``dict(inputs=..., data_samples=...)`` from a transformed sample.

    ``inputs``: ``frames`` ``(V, 3, H, W)`` uint8 (one entry per view; V = 1 for
    a single image) and ``log_mel`` ``(T, 1, 96, 64)`` float32, or ``waveform``
    ``(L,)`` when the log-mel examples are left to the data preprocessor, or
    ``audio_embedding`` ``(T, 128)`` cached VGGish embeddings
    (:class:`LoadVGGishEmbedding`; then the other two are not packed).

    ``data_samples``: a :class:`LocalizationDataSample` with the ``meta_keys``
    found in the sample and, when the sample has boxes, ``gt_map`` ``(H, W)``
    rasterised from the boxes of the first view (mode ``gt_map_mode``).
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('sample_id', 'frame_path', 'audio_path', 'ori_shape',
                                             'img_shape', 'gt_bboxes', 'gt_map_mode', 'label',
                                             'vggish_weights_hash', 'vggish_cache_dir')):
        self.meta_keys = tuple(meta_keys)

    def __call__(self, results: dict) -> dict:
        images = results['img'] if isinstance(results['img'], list) else [results['img']]
        frames = torch.from_numpy(np.stack([np.ascontiguousarray(img.transpose(2, 0, 1))
                                            for img in images]))
        inputs = dict(frames=frames)
        if results.get('audio_embedding') is not None:
            inputs['audio_embedding'] = torch.as_tensor(
                np.asarray(results['audio_embedding'], dtype=np.float32))
        elif results.get('log_mel') is not None:
            inputs['log_mel'] = torch.as_tensor(np.asarray(results['log_mel'], dtype=np.float32))
        elif results.get('waveform') is not None:
            inputs['waveform'] = torch.as_tensor(np.asarray(results['waveform'], dtype=np.float32))
        else:
            raise KeyError(f"PackAVInputs: sample {results.get('sample_id')} has neither "
                           "'log_mel' nor 'waveform'")

        data_sample = LocalizationDataSample()
        boxes = results.get('gt_bboxes')
        if isinstance(boxes, list):  # one array per view: the first view is scored
            boxes = boxes[0]
        meta = {key: results[key] for key in self.meta_keys if key in results}
        if boxes is not None:
            meta['gt_bboxes'] = np.asarray(boxes, dtype=np.float64)
            gt_map = boxes_to_gt_map(boxes, tuple(images[0].shape[:2]),
                                     results.get('gt_map_mode', 'union'))
            data_sample.set_field(torch.from_numpy(gt_map.astype(np.float32)), 'gt_map')
        data_sample.set_metainfo(meta)
        return dict(inputs=inputs, data_samples=data_sample)

    def __repr__(self):
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'
