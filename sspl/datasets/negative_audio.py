"""Negative-audio probes for any dataset and any method: each frame given
silence, noise or another clip's (off-screen) audio.

:class:`NegativeAudioProbes` wraps a test dataset. In ``mode='probes'`` it
gives the dataset's samples, then, for each positive and each kind, a probe:
the same frame (and box) with the substituted audio, sample id
``<sample_id>@<kind>``, metainfo ``negative_audio=<kind>`` and
``pair_id=<sample_id>``. :class:`sspl.evaluation.LocalizationMetric`'s
``negative_audio`` protocol scores the probes (pIA per clip, AOC per kind, as
vssl_eval defines them) next to the positives' figures, in one test run. In
``mode='replace'`` each positive's audio is replaced (one kind) and the sample
keeps its id and box: the audio-swap check (a localizer that uses the audio
loses cIoU when given another class's sound).

The substitution happens on the data-list entry, before the pipeline, so each
method's own audio loading reads it:

- ``offscreen``: the audio entries of another positive (``audio_path``,
  ``waveform``, ``log_mel``, ``log_mel_path``), of another class where the
  samples have labels (``label``, else ``class_name``): :func:`audio_partners`;
- ``silence``: a wav of zeros, ``noise``: a wav of white Gaussian noise
  (``noise_std`` of full scale, clipped to [-1, 1]; vssl_eval feeds N(0, 1)
  samples to its spectrogram in memory, beyond what a 16-bit file holds), each
  at the sample's own audio file's rate and length (read from its header), so
  a method's loader sees the format it sees for the positives. The files go
  to ``probe_dir`` and are written once: their content depends only on
  ``(seed, sample id, rate, length)``, so runs, ranks and workers share them.

Everything is seeded per sample (the partner, the noise): the same probe for
a sample whatever the dataset's order, the worker count or the rank.
"""
import hashlib
import os
import os.path as osp
import tempfile
from typing import Any, List, Optional, Sequence, Tuple, Union

import numpy as np

from sspl.registry import DATASETS
from sspl.utils.atomic_io import atomic_output_path
from .validation import DataFileError, DataFileNotFoundError, DataLoadError

#: the kinds of negative audio, in the order probes are listed
PROBE_KINDS = ('silence', 'noise', 'offscreen')
#: the entries of a data-list entry that carry a clip's audio
AUDIO_KEYS = ('audio_path', 'waveform', 'log_mel', 'log_mel_path', 'audio_embedding')
#: metainfo the probes add, packed by PackAVInputs (``pack_meta_keys``)
PROBE_META_KEYS = ('negative_audio', 'pair_id')
#: bump when the probe audio written for the same inputs changes
PROBE_AUDIO_VERSION = 1


def _digest(text: str) -> int:
    """A stable 64-bit integer of ``text`` (Python's ``hash`` is salted per process)."""
    return int.from_bytes(hashlib.sha1(str(text).encode()).digest()[:8], 'little')


def audio_partners(labels: Sequence[Any], seed: int = 0,
                   sample_ids: Optional[Sequence[str]] = None) -> List[int]:
    """For each clip, the index of the clip whose audio it gets: another clip,
    of another class when every clip has a label and another class exists.

    Seeded per clip by ``(seed, sample id)`` (the index where no ids are
    given), drawn from the clips sorted by id: a clip's partner depends on
    which clips there are, not on their order or the other clips' draws.
    Rejection sampling keeps it O(1) per clip on average.
    """
    num = len(labels)
    if sample_ids is not None and len(sample_ids) != num:
        raise ValueError(f'audio_partners: {len(sample_ids)} sample ids for {num} labels')
    labelled = num > 0 and all(label is not None for label in labels)
    counts = {}
    if labelled:
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
    keys = [str(sample_ids[i]) if sample_ids is not None else str(i) for i in range(num)]
    order = sorted(range(num), key=lambda i: keys[i])  # draws independent of the list's order
    rank = {index: position for position, index in enumerate(order)}
    partners = []
    for index in range(num):
        if num == 1:
            partners.append(index)
            continue
        rng = np.random.default_rng([int(seed), _digest(keys[index])])
        other_class = labelled and counts[labels[index]] < num
        while True:
            position = int(rng.integers(num - 1))
            position += position >= rank[index]  # any clip but this one
            other = order[position]
            if not other_class or labels[other] != labels[index]:
                break
        partners.append(other)
    return partners


def _audio_format(path: str) -> Tuple[int, int]:
    """``(sample rate, frames)`` of an audio file, from its header."""
    import soundfile
    if not osp.isfile(path):
        raise DataFileNotFoundError(f'{path}: audio file does not exist (needed for the rate '
                                    'and length of its negative-audio probes)')
    try:
        info = soundfile.info(path)
    except Exception as exc:  # soundfile raises RuntimeError / LibsndfileError
        raise DataFileError(f'{path}: cannot read the audio header for the negative-audio '
                            f'probes ({type(exc).__name__}: {exc})') from exc
    if info.frames <= 0:
        raise DataFileError(f'{path}: audio file holds no samples')
    return int(info.samplerate), int(info.frames)


def probe_audio(kind: str, sample_id: str, rate: int, frames: int, seed: int = 0,
                noise_std: float = 0.25) -> np.ndarray:
    """The ``(frames,)`` float32 samples of a ``'silence'`` or ``'noise'``
    probe (noise seeded by ``(seed, sample_id)``)."""
    if kind == 'silence':
        return np.zeros(frames, np.float32)
    if kind == 'noise':
        rng = np.random.default_rng([int(seed), _digest(sample_id), PROBE_AUDIO_VERSION])
        return np.clip(noise_std * rng.standard_normal(frames), -1.0, 1.0).astype(np.float32)
    raise ValueError(f'probe_audio: kind must be silence or noise, got {kind!r}')


@DATASETS.register_module()
class NegativeAudioProbes:
    """A dataset with negative-audio probes (see the module docstring).

    Args:
        dataset: the wrapped dataset (a config or a built dataset).
        kinds: the kinds of negative audio: ``'silence'``, ``'noise'``,
            ``'offscreen'``.
        seed: seed of the partners and the noise (per sample with it).
        mode: ``'probes'`` (the dataset's samples, then one probe per positive
            and kind, flagged ``negative_audio`` / ``pair_id``) or
            ``'replace'`` (each positive with the substituted audio instead of
            its own, scored as a positive: one kind).
        probe_dir: where the silence / noise wavs go (default
            ``<tmp>/sspl_negative_audio``; safe to delete, rewritten as needed).
        noise_std: the noise's standard deviation, a fraction of full scale.
        lazy_init: build the index on first use (as mmengine's datasets).
    """

    def __init__(self, dataset: Union[dict, Any], kinds: Sequence[str] = PROBE_KINDS,
                 seed: int = 0, mode: str = 'probes', probe_dir: Optional[str] = None,
                 noise_std: float = 0.25, lazy_init: bool = False):
        kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        unknown = [kind for kind in kinds if kind not in PROBE_KINDS]
        if unknown or not kinds or len(set(kinds)) != len(kinds):
            raise ValueError(f'NegativeAudioProbes: kinds must be distinct ones of {PROBE_KINDS}, '
                             f'got {kinds}')
        if mode not in ('probes', 'replace'):
            raise ValueError(f"NegativeAudioProbes: mode must be 'probes' or 'replace', "
                             f'got {mode!r}')
        if mode == 'replace' and len(kinds) != 1:
            raise ValueError(f"NegativeAudioProbes: mode='replace' takes one kind, got {kinds}")
        self.dataset = DATASETS.build(dataset) if isinstance(dataset, dict) else dataset
        self.kinds = kinds
        self.seed = int(seed)
        self.mode = mode
        self.probe_dir = probe_dir or osp.join(tempfile.gettempdir(), 'sspl_negative_audio')
        self.noise_std = float(noise_std)
        self._entries: Optional[List[Tuple[int, Optional[str]]]] = None
        self.partners: List[int] = []  # per base index: the off-screen partner
        if not lazy_init:
            self.full_init()

    # ---- the index ---------------------------------------------------------------------
    @property
    def metainfo(self) -> dict:
        return self.dataset.metainfo

    @property
    def pipeline(self):
        return self.dataset.pipeline

    @property
    def test_mode(self) -> bool:
        return getattr(self.dataset, 'test_mode', True)

    def _base_metadata(self, index: int) -> dict:
        getter = getattr(self.dataset, 'get_metadata', None) or self.dataset.get_data_info
        return getter(index)

    def full_init(self) -> None:
        if self._entries is not None:
            return
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()
        metadata = [self._base_metadata(index) for index in range(len(self.dataset))]
        positives = [index for index, info in enumerate(metadata) if not info.get('is_negative')]
        if not positives:
            raise ValueError('NegativeAudioProbes: the dataset has no positive sample to probe')
        labels = [metadata[i].get('label', metadata[i].get('class_name')) for i in positives]
        ids = [str(metadata[i].get('sample_id', i)) for i in positives]
        partners = audio_partners(labels, self.seed, ids)
        self.partners = list(range(len(metadata)))
        for position, index in enumerate(positives):
            self.partners[index] = positives[partners[position]]
        self._sample_ids = [str(info.get('sample_id', index)) for index, info in
                            enumerate(metadata)]
        if self.mode == 'probes':
            self._entries = [(index, None) for index in range(len(metadata))]
            self._entries += [(index, kind) for kind in self.kinds for index in positives]
        else:
            kind = self.kinds[0]
            positive = set(positives)
            self._entries = [(index, kind if index in positive else None)
                             for index in range(len(metadata))]

    def __len__(self) -> int:
        self.full_init()
        return len(self._entries)

    def entry(self, idx: int) -> Tuple[int, Optional[str]]:
        """``(index in the wrapped dataset, kind or None)`` of sample ``idx``."""
        self.full_init()
        return self._entries[idx]

    # ---- samples ------------------------------------------------------------------------
    def get_metadata(self, idx: int) -> dict:
        """The sample's entry without reading pack arrays (as
        :meth:`sspl.datasets.BaseAVDataset.get_metadata`); a probe's audio
        entries are those of its source (no probe file is written)."""
        base, kind = self.entry(idx)
        return self._substituted(dict(self._base_metadata(base)), base, kind, write=False)

    def get_data_info(self, idx: int) -> dict:
        base, kind = self.entry(idx)
        return self._substituted(self.dataset.get_data_info(base), base, kind, write=True)

    def _substituted(self, info: dict, base: int, kind: Optional[str], write: bool) -> dict:
        if kind is None:
            return info
        sample_id = self._sample_ids[base]
        if kind == 'offscreen':
            source_index = self.partners[base]
            source = (self.dataset.get_data_info(source_index) if write
                      else self._base_metadata(source_index))
            audio = {key: source[key] for key in AUDIO_KEYS if key in source}
            audio['probe_audio_of'] = self._sample_ids[source_index]
        else:
            path = info.get('audio_path')
            if path is None:
                raise ValueError(f'NegativeAudioProbes: sample {sample_id} has no audio_path '
                                 f"(in-memory audio, e.g. an h5 pack): the '{kind}' probe needs "
                                 "an audio file to take the rate and length from; 'offscreen' "
                                 'works with any dataset')
            audio = dict(audio_path=self._probe_file(kind, sample_id, path) if write else path)
            audio['probe_audio_of'] = kind
        for key in AUDIO_KEYS:
            info.pop(key, None)
        info.update(audio)
        if self.mode == 'probes':
            info.update(sample_id=f'{sample_id}@{kind}', negative_audio=kind, pair_id=sample_id)
            info['pack_meta_keys'] = tuple(info.get('pack_meta_keys', ())) + PROBE_META_KEYS
        return info

    def _probe_file(self, kind: str, sample_id: str, audio_path: str) -> str:
        rate, frames = _audio_format(audio_path)
        if kind == 'silence':
            name = f'silence_v{PROBE_AUDIO_VERSION}_{rate}hz_{frames}.wav'
        else:
            digest = hashlib.sha1(str(sample_id).encode()).hexdigest()[:16]
            name = (f'noise_v{PROBE_AUDIO_VERSION}_s{self.seed}_std{self.noise_std:g}_'
                    f'{digest}_{rate}hz_{frames}.wav')
        path = osp.join(self.probe_dir, name)
        if not osp.isfile(path):
            import soundfile
            samples = probe_audio(kind, sample_id, rate, frames, self.seed, self.noise_std)
            os.makedirs(self.probe_dir, exist_ok=True)
            with atomic_output_path(path) as tmp:
                soundfile.write(tmp, samples, rate, subtype='PCM_16', format='WAV')
        return path

    def prepare_data(self, idx: int) -> Any:
        return self.dataset.pipeline(self.get_data_info(idx))

    def __getitem__(self, idx: int) -> Any:
        try:
            data = self.prepare_data(idx)
        except DataLoadError:
            raise
        except Exception as exc:
            base, kind = self.entry(idx)
            exc.add_note(f'while loading sample {self._sample_ids[base]}'
                         + (f' with {kind} audio' if kind else '') + f' (index {idx}) of '
                         f'NegativeAudioProbes({type(self.dataset).__name__})')
            raise
        if data is None:
            raise DataLoadError(f'NegativeAudioProbes: the pipeline dropped sample {idx}')
        return data
