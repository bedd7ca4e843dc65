"""Localise the sound source of a frame and its audio with a built localizer."""
import copy
import os
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.dataset import Compose, pseudo_collate

from sspl.datasets.transforms.loading import LoadAudio
from sspl.structures import LocalizationDataSample

FrameInput = Union[str, os.PathLike, np.ndarray]
AudioInput = Union[str, os.PathLike, np.ndarray]

#: The published test view (torchvision Resize(224, bicubic) + CenterCrop(224)),
#: used when the model's config has no test pipeline.
DEFAULT_TEST_PIPELINE = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=16000, duration=3.0),
    dict(type='VGGishLogMel'),
    dict(type='ResizeShortEdge', size=224),
    dict(type='CenterCrop', size=224),
    dict(type='PackAVInputs'),
]


def get_test_pipeline_cfg(cfg) -> List[dict]:
    """The test-time pipeline of a config: ``cfg.test_dataloader.dataset.pipeline``
    (through dataset wrappers), else ``cfg.test_pipeline``, else
    :data:`DEFAULT_TEST_PIPELINE`."""
    dataset = ((cfg or {}).get('test_dataloader') or {}).get('dataset')
    while dataset is not None and 'pipeline' not in dataset and 'dataset' in dataset:
        dataset = dataset['dataset']
    if dataset is not None and dataset.get('pipeline'):
        return copy.deepcopy(list(dataset['pipeline']))
    if cfg is not None and cfg.get('test_pipeline'):
        return copy.deepcopy(list(cfg['test_pipeline']))
    return copy.deepcopy(DEFAULT_TEST_PIPELINE)


def _build_pipeline(pipeline_cfg: Sequence[dict]) -> Tuple[Compose, LoadAudio]:
    """The pipeline, and its ``LoadAudio`` step (a default one if it has none)."""
    from sspl.registry import TRANSFORMS
    transforms = [TRANSFORMS.build(step) if isinstance(step, dict) else step
                  for step in pipeline_cfg]
    load_audio = next((t for t in transforms if isinstance(t, LoadAudio)), LoadAudio())
    return Compose(transforms), load_audio


def _prepare_waveform(audio: np.ndarray, sample_rate: int, load_audio: LoadAudio) -> np.ndarray:
    """A waveform array as ``load_audio`` would have loaded it: mono,
    resampled, then its window and normalisation."""
    waveform = np.asarray(audio, dtype=np.float32)
    if waveform.ndim == 2:  # (channels, samples) -> mono
        waveform = waveform.mean(axis=0)
    if waveform.ndim != 1 or waveform.size == 0:
        raise ValueError(f'inference_localizer: audio must be a non-empty (L,) or (C, L) '
                         f'waveform, got shape {np.shape(audio)}')
    if sample_rate != load_audio.sample_rate:
        import librosa
        waveform = librosa.resample(waveform, orig_sr=sample_rate,
                                    target_sr=load_audio.sample_rate)
    return load_audio.prepare(waveform)


def _view_box(probe: Tuple[float, float, float, float], moved: np.ndarray,
              img_shape: Tuple[int, int]) -> Tuple[float, float, float, float]:
    """Where the network's view lies in the original frame. The geometric
    test transforms (resize, crop) map boxes affinely; from a probe box and its
    image under the pipeline, the view ``(0, 0, W, H)`` maps back to
    ``(x0, y0, x1, y1)`` in original pixels."""
    x0, y0, x1, y1 = probe
    mx0, my0, mx1, my1 = (float(v) for v in np.asarray(moved).reshape(-1, 4)[0])
    scale_x, scale_y = (mx1 - mx0) / (x1 - x0), (my1 - my0) / (y1 - y0)
    if scale_x <= 0 or scale_y <= 0:
        raise RuntimeError('inference_localizer: the test pipeline lost the probe box; '
                           'cannot place the map in the frame')
    shift_x, shift_y = mx0 - scale_x * x0, my0 - scale_y * y0
    height, width = img_shape
    return (-shift_x / scale_x, -shift_y / scale_y,
            (width - shift_x) / scale_x, (height - shift_y) / scale_y)


def _load_sample(frame: FrameInput, audio: AudioInput, sample_rate: Optional[int],
                 pipeline: Compose, load_audio: LoadAudio, index: int) -> dict:
    results = dict(sample_id=f'sample_{index}')
    if isinstance(frame, (str, os.PathLike)):
        results['frame_path'] = os.fspath(frame)
        results['sample_id'] = os.path.splitext(os.path.basename(results['frame_path']))[0]
        from sspl.datasets.transforms.loading import load_frame
        image = load_frame(results['frame_path'])
    else:
        image = np.asarray(frame)
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f'inference_localizer: frame must be an (H, W, 3) RGB array, '
                             f'got shape {image.shape}')
    results['img'] = image
    if isinstance(audio, (str, os.PathLike)):
        results['audio_path'] = os.fspath(audio)
    else:
        rate = load_audio.sample_rate if sample_rate is None else int(sample_rate)
        results['waveform'] = _prepare_waveform(audio, rate, load_audio)
    height, width = image.shape[:2]
    side = max(min(height, width) / 8.0, 1.0)
    probe = (width / 2 - side, height / 2 - side, width / 2 + side, height / 2 + side)
    results['gt_bboxes'] = np.asarray([probe], dtype=np.float64)
    results['gt_map_mode'] = 'union'
    packed = pipeline(results)
    data_sample = packed['data_samples']
    meta = data_sample.metainfo
    view_box = _view_box(probe, meta['gt_bboxes'], tuple(meta['img_shape']))
    clean = LocalizationDataSample()
    clean.set_metainfo({key: value for key, value in meta.items()
                        if key not in ('gt_bboxes', 'gt_map_mode')})
    clean.set_metainfo(dict(ori_shape=(height, width), view_box=view_box))
    packed['data_samples'] = clean
    return packed


@torch.no_grad()
def inference_localizer(model: nn.Module,
                        frame: Union[FrameInput, Sequence[FrameInput]],
                        audio: Union[AudioInput, Sequence[AudioInput]],
                        sample_rate: Optional[int] = None,
                        ) -> Union[LocalizationDataSample, List[LocalizationDataSample]]:
    """Where does the sound come from?

    The frame and audio go through the test pipeline of the model's config
    (``model.cfg``, as :func:`sspl.apis.init_localizer` sets it: loading,
    VGGish log-mel, the test view), then ``model.test_step`` as in the test loop.

    Args:
        model: a localizer (e.g. from :func:`sspl.apis.init_localizer`), in eval mode.
        frame: an image path, or an ``(H, W, 3)`` uint8 RGB array; or a list of them.
        audio: an audio file path (resampled to 16 kHz mono, centred 3 s window
            as the dataset loads it), or a waveform array ``(L,)`` / ``(C, L)``
            at ``sample_rate`` (centred window of 3 s, tiled when shorter, and
            normalised the same way); or a list of them (as many as frames).
        sample_rate: rate of waveform arrays; ``None``: the pipeline's rate (16 kHz).

    Returns:
        A :class:`sspl.structures.LocalizationDataSample` per input (a list when
        lists are given) with ``pred_sim_map`` ``(h, w)`` (the raw cosine
        similarity map, ``(14, 14)`` for SSPL, CPU float tensor) and metainfo
        ``ori_shape`` (H, W) of the frame, ``img_shape`` of the network view and
        ``view_box`` ``(x0, y0, x1, y1)``: the part of the frame (in its pixels)
        that the view, and so the map, covers (a centre crop for the published
        test view).
    """
    batched = isinstance(frame, (list, tuple))
    frames = list(frame) if batched else [frame]
    audios = list(audio) if batched else [audio]
    if len(frames) != len(audios):
        raise ValueError(f'inference_localizer: {len(frames)} frames but {len(audios)} audio '
                         'inputs')
    pipeline, load_audio = _build_pipeline(get_test_pipeline_cfg(getattr(model, 'cfg', None)))
    samples = [_load_sample(f, a, sample_rate, pipeline, load_audio, i)
               for i, (f, a) in enumerate(zip(frames, audios))]
    # The test loop's own step (data preprocessor, SSPL.predict), so cached
    # VGGish embeddings and the checks on them work here too.
    results = model.test_step(pseudo_collate(samples))
    for data_sample in results:
        data_sample.pred_sim_map = data_sample.pred_sim_map.float().cpu()
    return results if batched else results[0]
