"""Localise the sound source of a frame and its audio with a built localizer."""
import copy
import os
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.dataset import Compose, pseudo_collate

from sspl.datasets.transforms.embedding_cache import check_cached_embeddings
from sspl.datasets.transforms.loading import LoadAudio
from sspl.structures import LocalizationDataSample

FrameInput = Union[str, os.PathLike, np.ndarray]
AudioInput = Union[str, os.PathLike, np.ndarray]

def _config_name(cfg) -> str:
    filename = getattr(cfg, 'filename', None) if cfg is not None else None
    return filename or 'the model\'s config (no file)'


def get_test_pipeline_cfg(cfg) -> List[dict]:
    """The test-time pipeline of a config: ``cfg.test_dataloader.dataset.pipeline``
    (through dataset wrappers), else ``cfg.test_pipeline``.

    There is no built-in default: the pre-processing (audio rate, window,
    features, test view) is the method's and comes from its config. A config
    with neither raises a :class:`ValueError` naming the config."""
    if cfg is None:
        raise ValueError('inference: the model has no config (model.cfg); build it with '
                         'sspl.apis.init_localizer(CONFIG, CHECKPOINT), or set model.cfg to '
                         'a config with a test pipeline')
    dataset = (cfg.get('test_dataloader') or {}).get('dataset')
    while dataset is not None and 'pipeline' not in dataset and 'dataset' in dataset:
        dataset = dataset['dataset']
    if dataset is not None and dataset.get('pipeline'):
        return copy.deepcopy(list(dataset['pipeline']))
    if cfg.get('test_pipeline'):
        return copy.deepcopy(list(cfg['test_pipeline']))
    raise ValueError(f'{_config_name(cfg)}: the config has no test pipeline '
                     '(test_dataloader.dataset.pipeline or test_pipeline); the inference API '
                     'takes the pre-processing (audio loading and features, test view) from '
                     'there: add one, e.g. the test pipeline of the dataset config the method '
                     'was trained with')


def _audio_loader(transforms: Sequence) -> Optional[LoadAudio]:
    """The pipeline's audio loading step: a :class:`LoadAudio`, or the one a
    transform applies itself (its ``load_audio``, e.g. a cache's)."""
    for transform in transforms:
        if isinstance(transform, LoadAudio):
            return transform
        if isinstance(getattr(transform, 'load_audio', None), LoadAudio):
            return transform.load_audio
    return None


def _build_pipeline(pipeline_cfg: Sequence[dict]) -> Tuple[Compose, Optional[LoadAudio]]:
    """The pipeline, and its audio loading step (None if it has none)."""
    from sspl.registry import TRANSFORMS
    transforms = [TRANSFORMS.build(step) if isinstance(step, dict) else step
                  for step in pipeline_cfg]
    return Compose(transforms), _audio_loader(transforms)


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
                 pipeline: Compose, load_audio: Optional[LoadAudio], index: int,
                 config_name: str) -> dict:
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
        if load_audio is None:
            raise ValueError(f'{config_name}: the test pipeline has no audio loading step '
                             '(LoadAudio, or a transform with its own load_audio), so it '
                             'cannot take a waveform array; give an audio file path instead')
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
    (``model.cfg``, as :func:`sspl.apis.init_localizer` sets it: loading, the
    method's audio features, the test view; see :func:`get_test_pipeline_cfg`),
    then ``model.test_step`` as in the test loop.

    Args:
        model: a localizer (e.g. from :func:`sspl.apis.init_localizer`), in eval mode.
        frame: an image path, or an ``(H, W, 3)`` uint8 RGB array; or a list of them.
        audio: an audio file path (loaded as the pipeline's ``LoadAudio`` does:
            resampled mono, its centred window), or a waveform array ``(L,)`` /
            ``(C, L)`` at ``sample_rate`` (resampled to the pipeline's rate,
            then its window, tiled when shorter, and normalisation); or a list
            of them (as many as frames).
        sample_rate: rate of waveform arrays; ``None``: the pipeline's rate.

    Returns:
        A :class:`sspl.structures.LocalizationDataSample` per input (a list when
        lists are given) with ``pred_sim_map`` ``(h, w)`` (the method's raw
        map, CPU float tensor), ``pred_score`` where the method defines one, and metainfo
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
    cfg = getattr(model, 'cfg', None)
    pipeline, load_audio = _build_pipeline(get_test_pipeline_cfg(cfg))
    samples = [_load_sample(f, a, sample_rate, pipeline, load_audio, i, _config_name(cfg))
               for i, (f, a) in enumerate(zip(frames, audios))]
    # What the runtime's EmbeddingCacheCheckHook does in the test loop.
    check_cached_embeddings(model, [sample['data_samples'] for sample in samples])
    # The test loop's own step (data preprocessor, the model's predict).
    results = model.test_step(pseudo_collate(samples))
    for data_sample in results:
        data_sample.pred_sim_map = data_sample.pred_sim_map.float().cpu()
        if hasattr(data_sample, 'pred_score'):
            data_sample.pred_score = data_sample.pred_score.float().cpu()
    return results if batched else results[0]
