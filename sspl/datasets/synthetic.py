"""A built-in synthetic audio-visual dataset with known sound sources.

Each clip shows a few objects on a textured background. One object "sounds":
its class decides the audio (a class-specific harmonic tone with its own
amplitude-modulation rate, in background noise), and its box is the ground
truth, written in the VGG-SS annotation form (``{"file", "class", "bbox":
[[x0, y0, x1, y1]]}`` in [0, 1]). Everything is generated deterministically
from ``(seed, split, index)``.

A clip has two frames. Between them the sounding object stays (it moves a
little), while the distractors and the background are drawn anew. Only the
audio says which object persists, so the two views of SSPL's SimSiam
objective agree only where the model attends to the sounding object: the
mechanism has something to learn even without ImageNet semantics (see
``../shared/SYNTHETIC_NOTES.md`` for why two crops of one synthetic frame do not).
``views='one_frame'`` gives the published two-crops-of-one-frame setting.

An extended split (``split='test_extended'``, any ``<split>_extended``) is
the split's clips (the same files) followed by negatives in the manner of
SLAVC's extended test sets, each with one frame, no box and metainfo
``is_negative``: ``silent`` clips (a frame of objects, a silent audio track)
and ``absent`` clips (the tone of a class that no object of the frame has).
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Tuple

import numpy as np
from mmengine.logging import print_log

from sspl.registry import DATASETS
from sspl.utils.atomic_io import atomic_output_path, atomic_write_text
from .base_av_dataset import BaseAVDataset
from .validation import check_class_name

SAMPLE_RATE = 16000

# (name, RGB colour, shape); hues far apart so that even random conv features
# tell them apart.
CLASSES: Tuple[Tuple[str, Tuple[int, int, int], str], ...] = (
    ('red_square', (230, 40, 40), 'square'),
    ('green_circle', (40, 200, 60), 'circle'),
    ('blue_triangle', (50, 80, 235), 'triangle'),
    ('yellow_diamond', (240, 220, 40), 'diamond'),
    ('magenta_circle', (220, 50, 210), 'circle'),
    ('cyan_square', (40, 220, 225), 'square'),
    ('orange_triangle', (250, 140, 30), 'triangle'),
    ('white_diamond', (245, 245, 245), 'diamond'),
)


def class_tone(class_index: int, num_samples: int, rng: np.random.Generator) -> np.ndarray:
    """Harmonic tone of the class: fundamental on a log scale 220-2600 Hz, two
    harmonics, amplitude modulated at a class-specific rate; random phase."""
    num_classes = len(CLASSES)
    fundamental = 220.0 * (2600.0 / 220.0) ** (class_index / max(num_classes - 1, 1))
    modulation_hz = 1.5 + class_index % 4
    t = np.arange(num_samples) / SAMPLE_RATE
    phase = rng.uniform(0, 2 * np.pi)
    tone = (np.sin(2 * np.pi * fundamental * t + phase) +
            0.5 * np.sin(2 * np.pi * 2 * fundamental * t + phase) +
            0.25 * np.sin(2 * np.pi * 3 * fundamental * t + phase))
    envelope = 0.6 + 0.4 * np.sin(2 * np.pi * modulation_hz * t + rng.uniform(0, 2 * np.pi))
    return tone * envelope


def make_audio(class_index: int, duration: float, rng: np.random.Generator) -> np.ndarray:
    """``duration`` s of the class tone in noise at 5-20 dB SNR, int16-ready in [-1, 1]."""
    num_samples = int(round(duration * SAMPLE_RATE))
    tone = class_tone(class_index, num_samples, rng)
    noise = rng.standard_normal(num_samples)
    snr_db = rng.uniform(5.0, 20.0)
    noise *= np.sqrt(np.mean(tone ** 2) / 10 ** (snr_db / 10)) / max(noise.std(), 1e-8)
    audio = tone + noise
    return (0.8 * audio / np.abs(audio).max()).astype(np.float32)


def _shape_mask(shape: str, size: int) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    center = size / 2.0
    if shape == 'square':
        return np.ones((size, size), dtype=bool)
    if shape == 'circle':
        return (yy - center) ** 2 + (xx - center) ** 2 <= center ** 2
    if shape == 'diamond':
        return np.abs(yy - center) + np.abs(xx - center) <= center
    if shape == 'triangle':  # apex up
        return np.abs(xx - center) <= yy / 2.0
    raise ValueError(shape)


def _background(size: int, rng: np.random.Generator) -> np.ndarray:
    """A random colour gradient with pixel noise, muted so objects stand out."""
    corners = rng.uniform(40, 150, size=(2, 2, 3))
    ramp = np.linspace(0.0, 1.0, size)[:, None, None]
    top = corners[0, 0] * (1 - ramp) + corners[0, 1] * ramp
    bottom = corners[1, 0] * (1 - ramp) + corners[1, 1] * ramp
    image = top[None, :, 0, :] * (1 - ramp) + bottom[None, :, 0, :] * ramp
    image = image + rng.normal(0, 18, size=(size, size, 3))
    return image


#: Background styles of generator version 2: each frame draws one (the two
#: frames of a clip different ones), so a background looks different from one
#: frame to the next, as the distractors do; the visual pretraining labels
#: each style as its own class (:func:`object_class_map`).
BACKGROUND_STYLES = ('gradient', 'stripes', 'checker', 'blotches', 'dots', 'rings')


def _muted_colours(count: int, rng: np.random.Generator) -> np.ndarray:
    """``(count, 3)`` muted RGB colours (40-150), darker and greyer than the
    objects' (:data:`CLASSES`)."""
    return rng.uniform(40, 150, size=(count, 3))


def _background_v2(size: int, style: int, rng: np.random.Generator) -> np.ndarray:
    """A ``(size, size, 3)`` float background of :data:`BACKGROUND_STYLES`
    ``[style]``: two muted colours mixed by the style's pattern, pixel noise."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) / size  # [0, 1)
    name = BACKGROUND_STYLES[style]
    if name == 'gradient':
        angle = rng.uniform(0, 2 * np.pi)
        weight = (np.cos(angle) * xx + np.sin(angle) * yy)
        weight = (weight - weight.min()) / max(np.ptp(weight), 1e-8)
    elif name == 'stripes':
        angle = rng.uniform(0, np.pi)
        period = rng.uniform(0.07, 0.14)
        phase = np.cos(angle) * xx + np.sin(angle) * yy
        weight = (np.sin(2 * np.pi * phase / period) > 0).astype(np.float64)
    elif name == 'checker':
        period = rng.uniform(0.08, 0.16)
        off_x, off_y = rng.uniform(0, 1, size=2)
        weight = ((np.floor(xx / period + off_x) + np.floor(yy / period + off_y)) % 2)
    elif name == 'blotches':
        coarse = rng.uniform(0, 1, size=(5, 5))
        import cv2
        weight = cv2.resize(coarse, (size, size), interpolation=cv2.INTER_CUBIC)
        weight = np.clip((weight - weight.min()) / max(np.ptp(weight), 1e-8), 0, 1)
    elif name == 'dots':
        period = rng.uniform(0.08, 0.13)
        off_x, off_y = rng.uniform(0, 1, size=2)
        fx = (xx / period + off_x) % 1.0 - 0.5
        fy = (yy / period + off_y) % 1.0 - 0.5
        weight = (fx ** 2 + fy ** 2 <= 0.25 ** 2).astype(np.float64)
    elif name == 'rings':
        cx, cy = rng.uniform(0, 1, size=2)
        period = rng.uniform(0.08, 0.15)
        radius = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
        weight = 0.5 + 0.5 * np.sin(2 * np.pi * radius / period)
    else:  # pragma: no cover - BACKGROUND_STYLES lists every branch
        raise ValueError(name)
    first, second = _muted_colours(2, rng)
    image = first * (1 - weight[..., None]) + second * weight[..., None]
    return image + rng.normal(0, 12, size=(size, size, 3))


def _place(size: int, object_size: int, taken: List[Tuple[int, int, int, int]],
           rng: np.random.Generator, near: Optional[Tuple[int, int]] = None,
           jitter: int = 0) -> Tuple[int, int]:
    for _ in range(200):
        if near is not None:
            x0 = int(np.clip(near[0] + rng.integers(-jitter, jitter + 1), 0, size - object_size))
            y0 = int(np.clip(near[1] + rng.integers(-jitter, jitter + 1), 0, size - object_size))
        else:
            x0 = int(rng.integers(0, size - object_size + 1))
            y0 = int(rng.integers(0, size - object_size + 1))
        box = (x0, y0, x0 + object_size, y0 + object_size)
        if all(box[2] <= t[0] or t[2] <= box[0] or box[3] <= t[1] or t[3] <= box[1]
               for t in taken):
            return x0, y0
    return x0, y0


def render_frame(size: int, objects: List[Tuple[int, int, int, int]],
                 rng: np.random.Generator, background_style: Optional[int] = None) -> np.ndarray:
    """Draw ``objects`` ``(class_index, x0, y0, object_size)`` on a background:
    generator version 1's gradient (``background_style=None``) or the style
    :data:`BACKGROUND_STYLES` ``[background_style]`` of version 2."""
    if background_style is None:
        image = _background(size, rng)
    else:
        image = _background_v2(size, background_style, rng)
    for class_index, x0, y0, object_size in objects:
        _, colour, shape = CLASSES[class_index]
        mask = _shape_mask(shape, object_size)
        shade = np.asarray(colour, dtype=np.float64) * rng.uniform(0.85, 1.0)
        region = image[y0:y0 + object_size, x0:x0 + object_size]
        region[mask] = shade + rng.normal(0, 6, size=(int(mask.sum()), 3))
    return np.clip(image, 0, 255).astype(np.uint8)


def object_class_map(objects: List[Tuple[int, int, int, int]], image_size: int,
                     grid: int, background_label: int = len(CLASSES)) -> np.ndarray:
    """``(grid, grid)`` int64 map of the object class at the centre of each grid
    cell (``background_label`` for background: ``len(CLASSES)``, or for
    generator version 2 ``len(CLASSES) + style``), from a frame's ``objects``
    ``(class_index, x0, y0, size)``: the dense labels of the visual pretraining
    that stands in for ImageNet on the synthetic domain."""
    labels = np.full((image_size, image_size), background_label, dtype=np.int64)
    for class_index, x0, y0, object_size in objects:
        region = labels[y0:y0 + object_size, x0:x0 + object_size]
        region[_shape_mask(CLASSES[class_index][2], object_size)] = class_index
    step = image_size / grid
    centres = (np.arange(grid) * step + step / 2).astype(np.int64)
    return labels[np.ix_(centres, centres)]


def make_clip(seed: int, split: str, index: int, image_size: int = 112,
              num_distractors: Tuple[int, int] = (1, 2),
              object_scale: Tuple[float, float] = (0.28, 0.38),
              duration: float = 3.0, num_classes: int = len(CLASSES),
              generator_version: Optional[int] = None) -> Dict:
    """One clip: two frames ``(S, S, 3)`` uint8, the audio, the sounding class,
    its box in each frame (pixels), every object of each frame as
    ``(class_index, x0, y0, size)`` and each frame's background style
    (``None`` for version 1).

    ``generator_version`` (default :data:`GENERATOR_VERSION`, the latest):

    - ``1``: one gradient background style; the distractors of the second
      frame are drawn from all other classes.
    - ``2``: each frame's background is one of :data:`BACKGROUND_STYLES`, the
      second frame's another style than the first's, and the second frame's
      distractors are of other classes than the first's: between the two
      frames only the sounding object stays the same.
    """
    version = check_generator_version(generator_version)
    split_code = {'train': 0, 'val': 1, 'test': 2}.get(split, 3)
    rng = np.random.default_rng([seed, split_code, index])
    sounding = int(rng.integers(num_classes))
    others = [c for c in range(num_classes) if c != sounding]
    object_size = int(round(image_size * rng.uniform(*object_scale)))
    styles: List[Optional[int]] = [None, None]
    if version >= 2:
        first = int(rng.integers(len(BACKGROUND_STYLES)))
        styles = [first, (first + int(rng.integers(1, len(BACKGROUND_STYLES))))
                  % len(BACKGROUND_STYLES)]
    frames, boxes, frame_objects = [], [], []
    anchor = None
    for view in range(2):
        x0, y0 = _place(image_size, object_size, [], rng, near=anchor,
                        jitter=max(1, image_size // 16))
        anchor = anchor or (x0, y0)
        taken = [(x0, y0, x0 + object_size, y0 + object_size)]
        objects = [(sounding, x0, y0, object_size)]
        count = int(rng.integers(num_distractors[0], num_distractors[1] + 1))
        pool = others
        if version >= 2 and view == 1:  # none of the first frame's distractors again
            seen = {c for c, *_ in frame_objects[0][1:]}
            pool = [c for c in others if c not in seen] or others
        for class_index in rng.choice(pool, size=min(count, len(pool)), replace=False):
            size = int(round(image_size * rng.uniform(*object_scale)))
            dx, dy = _place(image_size, size, taken, rng)
            taken.append((dx, dy, dx + size, dy + size))
            objects.append((int(class_index), dx, dy, size))
        frames.append(render_frame(image_size, objects, rng, styles[view]))
        boxes.append([x0, y0, x0 + object_size, y0 + object_size])
        frame_objects.append(objects)
    return dict(frames=frames, boxes=boxes, label=sounding, class_name=CLASSES[sounding][0],
                objects=frame_objects, backgrounds=styles,
                audio=make_audio(sounding, duration, rng))


def background_label(style: Optional[int]) -> int:
    """The dense pretraining label of a background (:func:`object_class_map`):
    ``len(CLASSES)`` for version 1's one style, ``len(CLASSES) + style`` for
    version 2's."""
    return len(CLASSES) + (0 if style is None else int(style))


def num_pretraining_labels(generator_version: Optional[int] = None) -> int:
    """How many labels the dense pretraining classifies: the object classes
    and the background styles of ``generator_version``."""
    version = check_generator_version(generator_version)
    return len(CLASSES) + (1 if version == 1 else len(BACKGROUND_STYLES))


#: The generator's versions (:func:`make_clip` says what each makes); a
#: split's meta stamp records its version, so a split made by another version
#: is regenerated. Add a version (never change what an existing one makes)
#: when a change to the generator changes the clips.
GENERATOR_VERSIONS = (1, 2)
#: the latest version: the default of the dataset and the configs
GENERATOR_VERSION = GENERATOR_VERSIONS[-1]


def check_generator_version(generator_version: Optional[int]) -> int:
    """``generator_version`` as an int (``None``: :data:`GENERATOR_VERSION`);
    a :class:`ValueError` for an unknown one."""
    version = GENERATOR_VERSION if generator_version is None else generator_version
    if version not in GENERATOR_VERSIONS:
        raise ValueError(f'synthetic dataset: generator_version must be one of '
                         f'{GENERATOR_VERSIONS}, got {generator_version!r}')
    return int(version)


def split_meta(split: str, num_samples: int, seed: int, image_size: int,
               generator_version: Optional[int] = None) -> dict:
    """What a generated split depends on; stored beside its annotations."""
    return dict(generator_version=check_generator_version(generator_version), split=split,
                num_samples=num_samples, seed=seed, image_size=image_size)


def split_is_current(data_root: str, meta: dict) -> bool:
    """Whether ``data_root`` holds the complete split described by ``meta``."""
    meta_path = osp.join(data_root, 'annotations', f"{meta['split']}_meta.json")
    if not osp.exists(meta_path):
        return False
    with open(meta_path) as f:
        return json.load(f) == meta


def write_split(data_root: str, split: str, num_samples: int, seed: int = 0,
                image_size: int = 112, generator_version: Optional[int] = None) -> str:
    """Write ``num_samples`` clips of ``split`` under ``data_root`` and return the
    annotation file. Layout::

        data_root/frames/<split>_<index>_a.png, <split>_<index>_b.png
        data_root/audio/<split>_<index>.wav        (16 kHz mono, 16-bit)
        data_root/annotations/<split>.json         (VGG-SS form, boxes of frame a)
        data_root/annotations/<split>_views.json   (boxes of both frames)
        data_root/annotations/<split>_meta.json    (what the split was made from)

    Every file is written under a temporary name and renamed, and the meta file
    comes last: an interrupted run leaves no half-written file and is redone by
    the next one. A split made with other settings (or an older generator) is
    regenerated; an identical one is left as it is.
    """
    import soundfile
    from PIL import Image

    meta = split_meta(split, num_samples, seed, image_size, generator_version)
    annotation = osp.join(data_root, 'annotations', f'{split}.json')
    if split_is_current(data_root, meta):
        return annotation
    print_log(f'synthetic dataset: generating {num_samples} clips of split {split!r} '
              f"(generator version {meta['generator_version']}, seed {seed}, {image_size} px) "
              f'into {data_root} (first use; deterministic)', logger='current')
    for folder in ('frames', 'audio', 'annotations'):
        os.makedirs(osp.join(data_root, folder), exist_ok=True)
    records, views = [], []
    for index in range(num_samples):
        sample_id = f'{split}_{index:05d}'
        clip = make_clip(seed, split, index, image_size=image_size,
                         generator_version=meta['generator_version'])
        for view, frame in zip('ab', clip['frames']):
            path = osp.join(data_root, 'frames', f'{sample_id}_{view}.png')
            with atomic_output_path(path) as tmp:
                Image.fromarray(frame).save(tmp, format='PNG')
        audio_path = osp.join(data_root, 'audio', f'{sample_id}.wav')
        with atomic_output_path(audio_path) as tmp:
            soundfile.write(tmp, clip['audio'], SAMPLE_RATE, subtype='PCM_16', format='WAV')
        normalized = [[round(v / image_size, 6) for v in box] for box in clip['boxes']]
        records.append({'file': sample_id, 'class': clip['class_name'], 'bbox': [normalized[0]]})
        views.append({'file': sample_id, 'bbox_views': normalized})
    # Per-process temporary files: every rank of a DDP run may generate the split.
    atomic_write_text(annotation.replace('.json', '_views.json'), json.dumps(views),
                      per_process_tmp=True)
    atomic_write_text(annotation, json.dumps(records), per_process_tmp=True)
    atomic_write_text(annotation.replace('.json', '_meta.json'), json.dumps(meta),
                      per_process_tmp=True)
    return annotation


#: the negatives of an extended split: a silent track; a class absent from the frame
NEGATIVE_KINDS = ('silent', 'absent')
#: bump when a change to the negatives' generator changes what it makes
NEGATIVES_VERSION = 1
EXTENDED_SUFFIX = '_extended'
_NEGATIVE_SPLIT_CODES = {'train': 0, 'val': 1, 'test': 2}


def make_negative_clip(seed: int, split: str, kind: str, index: int, image_size: int = 112,
                       num_objects: Tuple[int, int] = (2, 3),
                       object_scale: Tuple[float, float] = (0.28, 0.38),
                       duration: float = 3.0, num_classes: int = len(CLASSES),
                       generator_version: Optional[int] = None) -> Dict:
    """One negative of an extended split: a frame ``(S, S, 3)`` uint8 of
    ``num_objects`` objects and an audio track that sounds none of them.

    - ``'silent'``: objects of any classes, the audio all zeros;
    - ``'absent'``: the tone of ``audio_class`` in noise (as a positive clip's
      audio), the objects all of other classes.

    Drawn from its own generator (``seed``, split, kind, index), apart from
    the positive clips' (:func:`make_clip`): the split's positives stay as
    they are. ``generator_version`` is the positives' (:func:`make_clip`):
    version 2 draws the frame's background from :data:`BACKGROUND_STYLES`."""
    version = check_generator_version(generator_version)
    if kind not in NEGATIVE_KINDS:
        raise ValueError(f'make_negative_clip: kind must be one of {NEGATIVE_KINDS}, got {kind!r}')
    rng = np.random.default_rng([seed, 1000 + _NEGATIVE_SPLIT_CODES.get(split, 3),
                                 NEGATIVE_KINDS.index(kind), index])
    audio_class = int(rng.integers(num_classes)) if kind == 'absent' else None
    pool = [c for c in range(num_classes) if c != audio_class]
    count = int(rng.integers(num_objects[0], num_objects[1] + 1))
    objects, taken = [], []
    for class_index in rng.choice(pool, size=min(count, len(pool)), replace=False):
        size = int(round(image_size * rng.uniform(*object_scale)))
        x0, y0 = _place(image_size, size, taken, rng)
        taken.append((x0, y0, x0 + size, y0 + size))
        objects.append((int(class_index), x0, y0, size))
    style = int(rng.integers(len(BACKGROUND_STYLES))) if version >= 2 else None
    frame = render_frame(image_size, objects, rng, style)
    if kind == 'silent':
        audio = np.zeros(int(round(duration * SAMPLE_RATE)), dtype=np.float32)
    else:
        audio = make_audio(audio_class, duration, rng)
    return dict(frame=frame, objects=objects, audio=audio, kind=kind, background=style,
                audio_class=None if audio_class is None else CLASSES[audio_class][0])


def negatives_meta(split: str, num_negatives: int, seed: int, image_size: int,
                   generator_version: Optional[int] = None) -> dict:
    """What a split's negatives depend on; stored beside them (the positives'
    generator version among it: negatives made for version 1 are regenerated
    for a version 2 split)."""
    return dict(negatives_version=NEGATIVES_VERSION, split=split, num_negatives=num_negatives,
                kinds=list(NEGATIVE_KINDS), seed=seed, image_size=image_size,
                generator_version=check_generator_version(generator_version))


def write_negatives(data_root: str, split: str, num_negatives: int, seed: int = 0,
                    image_size: int = 112, generator_version: Optional[int] = None) -> str:
    """Write the negatives of ``split``'s extended split (``num_negatives``:
    the first half ``silent``, the rest ``absent``) and return their record
    file. Layout::

        data_root/frames/<split>_<kind>_<index>_a.png
        data_root/audio/<split>_<kind>_<index>.wav       (16 kHz mono, 16-bit)
        data_root/annotations/<split>_negatives.json     ({"file", "kind", "audio_class"})
        data_root/annotations/<split>_negatives_meta.json

    Written as :func:`write_split` writes (temporary names, the meta file last;
    regenerated when made with other settings)."""
    import soundfile
    from PIL import Image

    meta = negatives_meta(split, num_negatives, seed, image_size, generator_version)
    records_path = osp.join(data_root, 'annotations', f'{split}_negatives.json')
    meta_path = records_path.replace('.json', '_meta.json')
    if osp.exists(meta_path):
        with open(meta_path) as f:
            if json.load(f) == meta:
                return records_path
    print_log(f'synthetic dataset: generating {num_negatives} negatives of split '
              f"{split + EXTENDED_SUFFIX!r} (generator version {meta['generator_version']}, "
              f'seed {seed}) into {data_root} (first use; deterministic)', logger='current')
    for folder in ('frames', 'audio', 'annotations'):
        os.makedirs(osp.join(data_root, folder), exist_ok=True)
    counts = dict(silent=(num_negatives + 1) // 2, absent=num_negatives // 2)
    records = []
    for kind in NEGATIVE_KINDS:
        for index in range(counts[kind]):
            sample_id = f'{split}_{kind}_{index:05d}'
            clip = make_negative_clip(seed, split, kind, index, image_size=image_size,
                                      generator_version=meta['generator_version'])
            with atomic_output_path(osp.join(data_root, 'frames', f'{sample_id}_a.png')) as tmp:
                Image.fromarray(clip['frame']).save(tmp, format='PNG')
            with atomic_output_path(osp.join(data_root, 'audio', f'{sample_id}.wav')) as tmp:
                soundfile.write(tmp, clip['audio'], SAMPLE_RATE, subtype='PCM_16', format='WAV')
            records.append({'file': sample_id, 'kind': kind, 'audio_class': clip['audio_class']})
    atomic_write_text(records_path, json.dumps(records), per_process_tmp=True)
    atomic_write_text(meta_path, json.dumps(meta), per_process_tmp=True)
    return records_path


@DATASETS.register_module()
class SyntheticAVDataset(BaseAVDataset):
    """The built-in synthetic dataset (see the module docstring).

    The clips are generated into ``data_root`` on first use (or beforehand by
    ``tools/data/make_synthetic.py``), so the same pipeline as for real data
    reads them from disk.

    Args:
        data_root: folder of the generated dataset.
        split: ``'train'``, ``'val'`` or ``'test'``.
        num_samples: number of clips of the split.
        seed: generation seed (the same seed always gives the same clips).
        image_size: frame side in pixels.
        views: ``'two_frames'`` (view ``i`` from frame ``i`` of the clip) or
            ``'one_frame'`` (both views from the first frame, as the published
            pipeline does with real data).
        generator_version: the generator's version (:func:`make_clip`;
            default :data:`GENERATOR_VERSION`, the latest); recorded in each
            split's meta stamp, so changing it regenerates the split.
        num_negatives: for an extended split (``'test_extended'``: the
            ``test`` clips, then negatives, see the module docstring), how
            many negatives (half ``silent``, half ``absent``); default
            ``num_samples``, as many as positives (SLAVC's extended sets).
    """

    METAINFO = dict(classes=tuple(name for name, _, _ in CLASSES))

    def __init__(self, data_root: str, split: str = 'train', num_samples: int = 512,
                 seed: int = 0, image_size: int = 112, views: str = 'two_frames',
                 num_negatives: Optional[int] = None, generator_version: Optional[int] = None,
                 **kwargs):
        if views not in ('two_frames', 'one_frame'):
            raise ValueError(f"SyntheticAVDataset: views must be 'two_frames' or 'one_frame', "
                             f'got {views!r}')
        if num_negatives is not None and not split.endswith(EXTENDED_SUFFIX):
            raise ValueError(f'SyntheticAVDataset: num_negatives is for an extended split '
                             f"('test{EXTENDED_SUFFIX}'), not {split!r}")
        self.num_negatives = num_samples if num_negatives is None else int(num_negatives)
        self.split = split
        self.num_samples = num_samples
        self.seed = seed
        self.image_size = image_size
        self.views = views
        self.generator_version = check_generator_version(generator_version)
        super().__init__(data_root=data_root, **kwargs)

    @property
    def base_split(self) -> str:
        """The split whose clips are the positives (``'test'`` of ``'test_extended'``)."""
        if self.split.endswith(EXTENDED_SUFFIX):
            return self.split[:-len(EXTENDED_SUFFIX)]
        return self.split

    def load_data_list(self) -> List[dict]:
        data_list = self._positives()
        if self.split.endswith(EXTENDED_SUFFIX) and self.num_negatives > 0:
            data_list += self._negatives()
        return data_list

    def _negatives(self) -> List[dict]:
        records_path = write_negatives(self.data_root, self.base_split, self.num_negatives,
                                       self.seed, self.image_size, self.generator_version)
        with open(records_path) as f:
            records = json.load(f)
        return [dict(sample_id=record['file'],
                     frame_path=osp.join(self.data_root, 'frames', f"{record['file']}_a.png"),
                     audio_path=osp.join(self.data_root, 'audio', f"{record['file']}.wav"),
                     is_negative=True, negative_kind=record['kind'],
                     pack_meta_keys=('is_negative', 'negative_kind')) for record in records]

    def _positives(self) -> List[dict]:
        annotation = write_split(self.data_root, self.base_split, self.num_samples, self.seed,
                                 self.image_size, self.generator_version)
        with open(annotation.replace('.json', '_views.json')) as f:
            view_boxes = {item['file']: item['bbox_views'] for item in json.load(f)}
        with open(annotation) as f:
            records = json.load(f)
        classes = self.metainfo['classes']
        data_list = []
        for record in records:
            sample_id = record['file']
            check_class_name(record['class'], classes, f'{annotation}: {sample_id}')
            frames = [osp.join(self.data_root, 'frames', f'{sample_id}_{view}.png') for view in 'ab']
            boxes = np.asarray(view_boxes[sample_id], dtype=np.float64) * self.image_size
            if self.views == 'one_frame' or self.test_mode:
                frames, boxes = frames[:1], boxes[:1]
            data_list.append(dict(
                sample_id=sample_id,
                frame_path=frames if len(frames) > 1 else frames[0],
                audio_path=osp.join(self.data_root, 'audio', f'{sample_id}.wav'),
                gt_bboxes=[boxes[i:i + 1] for i in range(len(frames))] if len(frames) > 1
                else boxes[:1],
                gt_map_mode='union',
                label=classes.index(record['class'])))
        return data_list
