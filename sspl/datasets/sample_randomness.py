"""Per-sample randomness: every random draw of a training sample's pipeline is a
function of ``(seed, epoch, index)`` alone.

Why: a dataloader worker's random state depends on which worker drew the
sample and on how many samples that worker has processed since it was forked
(persistent workers live across epochs, and a resumed run forks new ones), so
augmentation drawn from the worker's global generators changes with
``num_workers``, with ``persistent_workers`` and after every resume. Drawing it
from the sample's key instead makes the data a training step sees the same
with 0, 1, 2 or 8 workers, persistent or not, on one process or several, and
after a resume.

How the key reaches the pipeline, in every worker:

1. sspl's ``KeyedSampler`` (:mod:`sspl.datasets.samplers`) yields each index
   as a :class:`SampleKey`: an ``int`` that also carries the sampler's seed and
   epoch. mmengine's ``DistSamplerSeedHook`` sets the epoch on the sampler in
   the main process only; since the epoch travels *with the index* through the
   dataloader's index queue, workers forked once (``persistent_workers=True``)
   see every new epoch without any shared state.
2. :class:`~sspl.datasets.BaseAVDataset` puts ``results['sample_key']``
   (``(seed, epoch, index)``, a tuple of ints) into the sample before its
   pipeline runs (a replacement for an unreadable sample gets
   ``(seed, epoch, index, attempt)``).
3. A random transform calls :func:`sample_rng` (NumPy), or
   :func:`sample_torch_generator` (torch), or wraps a third-party transform
   that draws from the global generators in :func:`seeded_from_sample`.
   Transforms that make several sub-samples (``MultiView``'s views) give each
   its own key with :func:`sub_sample` so that views do not depend on each
   other's number of draws.

What a new random transform must do: never call ``random.*``,
``np.random.*`` or ``torch.rand*`` without a generator; take
``rng = sample_rng(results)`` and draw from it (the generator is created on
first use and shared by the sample's later transforms, in pipeline order).
Without a key (a dataset indexed with a plain ``int``, a sampler other than
sspl's), :func:`sample_rng` falls back to a generator seeded from the
process's global NumPy state, with a one-time warning: random but not
reproducible across worker counts.
"""
import contextlib
import logging
import random
import zlib
from typing import Iterator, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.logging import print_log

#: ``results`` entry holding the sample's key: a tuple of non-negative ints
KEY = 'sample_key'
#: ``results`` entry caching the sample's NumPy generator (created on first use)
RNG = 'sample_rng'

_warned_without_key = False


class SampleKey(int):
    """A dataset index (an ``int``, usable wherever an index is) that carries
    the ``seed`` and ``epoch`` of the sampler that produced it.

    It prints as the plain index (``str``, ``repr``, f-strings), so messages
    and sample names built from an index do not change. Arithmetic on it gives
    a plain ``int`` (the key is dropped): a dataset
    wrapper that maps indices (``ConcatDataset``, ``RepeatDataset``) hands its
    inner dataset an index without a key.
    """

    def __new__(cls, index: int, epoch: int, seed: int):
        key = super().__new__(cls, index)
        key.epoch = int(epoch)
        key.seed = int(seed)
        return key

    def __reduce__(self):  # pickled into the dataloader's index queue
        return SampleKey, (int(self), self.epoch, self.seed)

    @property
    def entropy(self) -> Tuple[int, int, int]:
        """``(seed, epoch, index)``, each reduced to a non-negative int."""
        return (self.seed % 2**63, self.epoch % 2**63, int(self) % 2**63)


def key_of(index) -> Optional[Tuple[int, ...]]:
    """The ``(seed, epoch, index)`` key of a sampler's index, or None for a
    plain ``int`` (an index that did not come from sspl's sampler)."""
    return index.entropy if isinstance(index, SampleKey) else None


def _tag(value: Union[int, str]) -> int:
    """An int for a key component (strings hashed with CRC-32, which unlike
    ``hash()`` is the same in every process)."""
    if isinstance(value, str):
        return zlib.crc32(value.encode())
    return int(value) % 2**63


def derive(key: Tuple[int, ...], *tags: Union[int, str]) -> Tuple[int, ...]:
    """``key`` extended by ``tags`` (ints or strings): an independent stream."""
    return tuple(key) + tuple(_tag(tag) for tag in tags)


def generator_from_key(key: Tuple[int, ...]) -> np.random.Generator:
    """A NumPy generator whose stream is a function of ``key`` alone."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(list(key))))


def _warn_without_key() -> None:
    global _warned_without_key
    if not _warned_without_key:
        _warned_without_key = True
        print_log('A random transform ran on a sample without a sample key (the dataset was '
                  "indexed with a plain int, not by sspl's KeyedSampler): its draws come "
                  "from this process's global random state and depend on the worker count "
                  'and on resumes. See sspl/datasets/sample_randomness.py.',
                  logger='current', level=logging.WARNING)


def sample_rng(results: dict) -> np.random.Generator:
    """The sample's NumPy generator: seeded from ``results['sample_key']`` on
    first use and kept in ``results['sample_rng']``, so the sample's random
    transforms draw one stream in pipeline order.

    Without a key: a generator seeded from the global NumPy state (and a
    one-time warning; see the module docstring).
    """
    rng = results.get(RNG)
    if rng is None:
        key = results.get(KEY)
        if key is None:
            _warn_without_key()
            rng = np.random.default_rng(np.random.randint(0, 2**31 - 1, size=4))
        else:
            rng = generator_from_key(key)
        results[RNG] = rng
    return rng


def sample_seed(results: dict, *tags: Union[int, str]) -> int:
    """A 63-bit seed derived from the sample's key and ``tags`` (for libraries
    that take a seed); without a key, drawn from :func:`sample_rng`'s fallback."""
    key = results.get(KEY)
    if key is None:
        return int(sample_rng(results).integers(0, 2**63 - 1))
    state = np.random.SeedSequence(list(derive(key, *tags))).generate_state(1, np.uint64)
    return int(state[0]) % 2**63


def sample_torch_generator(results: dict, *tags: Union[int, str]) -> torch.Generator:
    """A CPU ``torch.Generator`` seeded from the sample's key and ``tags``
    (default tag ``'torch'``): a stream independent of :func:`sample_rng`'s."""
    generator = torch.Generator()
    generator.manual_seed(sample_seed(results, *(tags or ('torch',))))
    return generator


@contextlib.contextmanager
def seeded_from_sample(results: dict, *tags: Union[int, str]) -> Iterator[None]:
    """Seed Python's ``random``, NumPy's and torch's global generators from the
    sample's key for the ``with`` block, and restore them afterwards: for
    third-party transforms (torchvision, mmcv) that draw from the global
    generators. Use a distinct tag per call site of one pipeline."""
    seed = sample_seed(results, *(tags or ('global',)))
    py_state, np_state = random.getstate(), np.random.get_state()
    with torch.random.fork_rng(devices=[]):
        random.seed(seed)
        np.random.seed(seed % 2**32)
        torch.manual_seed(seed)
        try:
            yield
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)


def sub_sample(results: dict, *tags: Union[int, str]) -> dict:
    """A shallow copy of ``results`` with its own key ``derive(key, *tags)``
    and no cached generator: for a transform that makes several sub-samples
    (``MultiView``'s view ``i``: ``sub_sample(results, 'view', i)``)."""
    copy = dict(results)
    copy.pop(RNG, None)
    if results.get(KEY) is not None:
        copy[KEY] = derive(results[KEY], *tags)
    return copy
