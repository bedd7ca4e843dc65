"""Packing a transformed sample into network inputs and a data sample."""
from typing import Sequence

import numpy as np
import torch

from sspl.registry import TRANSFORMS
from sspl.structures import LocalizationDataSample
from sspl.structures.boxes import boxes_to_gt_map


#: audio entries a pipeline may produce, in the order they are looked for: a
#: derived feature before the waveform it was computed from.
DEFAULT_AUDIO_KEYS = ('audio_embedding', 'log_mel', 'spectrogram', 'waveform')
DEFAULT_META_KEYS = ('sample_id', 'frame_path', 'audio_path', 'ori_shape', 'img_shape',
                     'gt_bboxes', 'gt_map_mode', 'label')


@TRANSFORMS.register_module()
class PackAVInputs:
    """Make ``dict(inputs=..., data_samples=...)`` from a transformed sample.

    ``inputs``: ``frames`` ``(V, 3, H, W)`` uint8 (one entry per view; V = 1 for
    a single image) and one audio entry, float32: the first of ``audio_keys``
    the sample holds (e.g. ``audio_embedding`` ``(T, 128)`` cached VGGish
    embeddings, ``log_mel`` ``(T, 1, 96, 64)``, ``spectrogram`` ``(1, F, T)``,
    or ``waveform`` ``(L,)`` when the data preprocessor's audio front end
    computes the features).

    ``data_samples``: a :class:`LocalizationDataSample` with the ``meta_keys``
    found in the sample, plus the keys a transform listed in
    ``results['pack_meta_keys']`` (e.g. a cache's fingerprint), and, when the
    sample has boxes, ``gt_map`` ``(H, W)`` rasterised from the boxes of the
    first view (mode ``gt_map_mode``).
    """

    def __init__(self,
                 audio_keys: Sequence[str] = DEFAULT_AUDIO_KEYS,
                 meta_keys: Sequence[str] = DEFAULT_META_KEYS):
        self.audio_keys = tuple(audio_keys)
        self.meta_keys = tuple(meta_keys)

    def __call__(self, results: dict) -> dict:
        images = results['img'] if isinstance(results['img'], list) else [results['img']]
        frames = torch.from_numpy(np.stack([np.ascontiguousarray(img.transpose(2, 0, 1))
                                            for img in images]))
        inputs = dict(frames=frames)
        audio_key = next((key for key in self.audio_keys if results.get(key) is not None), None)
        if audio_key is None:
            raise KeyError(f"PackAVInputs: sample {results.get('sample_id')} holds none of "
                           f'the audio entries {self.audio_keys}; the pipeline needs an audio '
                           'loading step (e.g. LoadAudio)')
        inputs[audio_key] = torch.as_tensor(np.asarray(results[audio_key], dtype=np.float32))

        data_sample = LocalizationDataSample()
        boxes = results.get('gt_bboxes')
        if isinstance(boxes, list):  # one array per view: the first view is scored
            boxes = boxes[0]
        meta_keys = self.meta_keys + tuple(results.get('pack_meta_keys', ()))
        meta = {key: results[key] for key in meta_keys if key in results}
        if boxes is not None:
            meta['gt_bboxes'] = np.asarray(boxes, dtype=np.float64)
            gt_map = boxes_to_gt_map(boxes, tuple(images[0].shape[:2]),
                                     results.get('gt_map_mode', 'union'))
            data_sample.gt_map = torch.from_numpy(gt_map.astype(np.float32))
        data_sample.set_metainfo(meta)
        return dict(inputs=inputs, data_samples=data_sample)

    def __repr__(self):
        return f'{self.__class__.__name__}(audio_keys={self.audio_keys}, meta_keys={self.meta_keys})'
