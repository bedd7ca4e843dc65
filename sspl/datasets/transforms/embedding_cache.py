"""A per-clip cache of frozen VGGish embeddings.

While VGGish is frozen and the audio window is deterministic (the centred 3 s),
the ``(T, 128)`` VGGish embeddings of a clip never change: computing them once
saves the audio decoding, the log-mel front end and the VGGish forward of every
later epoch and of every evaluation.

Layout (``cache_dir`` is normally beside the data, e.g.
``<data_root>/vggish_embeddings``)::

    cache_dir/weights_index.json          weights file (path, size, mtime) -> fingerprint
    cache_dir/<key>/meta.json             what <key> stands for (weights, pre-processing)
    cache_dir/<key>/<aa>/<clip>.npy       (T, 128) float32 embeddings of one clip

``<key>`` hashes the VGGish weights fingerprint (the values, see
:meth:`sspl.models.backbones.VGGish.weights_fingerprint`) and the audio
pre-processing (sample rate, window, normalisation, the log-mel constants), so
new weights or another pre-processing never read old entries. ``<clip>``
hashes what the embeddings were computed from: the audio file's absolute path,
size and modification time, or the bytes of a waveform / log-mel that the
dataset already loaded (h5 packs); a changed file gets a new entry. Entries are
written atomically (temporary file + rename), so several data workers can fill
the cache at once. ``tools/data/cache_vggish_embeddings.py`` fills it ahead of
training (batched, on a GPU if there is one) and removes stale keys.
"""
import hashlib
import json
import os
import os.path as osp
from typing import Dict, Optional

import numpy as np
import torch

from sspl.audio import vggish_log_mel
from sspl.registry import MODELS, TRANSFORMS
from sspl.utils.atomic_io import atomic_output_path, atomic_write_text
from ..validation import DataFileNotFoundError
from .loading import LoadAudio
from .log_mel import VGGishLogMel

#: bump when the layout or the meaning of an entry changes
CACHE_FORMAT_VERSION = 1
WEIGHTS_INDEX = 'weights_index.json'
#: metainfo keys :class:`LoadVGGishEmbedding` writes into each sample
FINGERPRINT_KEY = 'vggish_weights_hash'
CACHE_DIR_KEY = 'vggish_cache_dir'


def _sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def log_mel_frontend_params() -> Dict:
    """The constants of the VGGish front end (part of every cache key)."""
    return vggish_log_mel.frontend_params()


class VGGishEmbeddingCache:
    """The on-disk cache (see the module docstring) for one VGGish and one
    audio pre-processing.

    Args:
        cache_dir: root folder of the cache.
        backbone: config of the frozen VGGish the model uses; ``pretrained``
            must be the weights file the model loads (random weights cannot be
            cached: the model's would differ).
        sample_rate, duration, normalize: :class:`LoadAudio`'s parameters.
    """

    def __init__(self, cache_dir: str, backbone: Dict, sample_rate: int = 16000,
                 duration: float = 3.0, normalize: bool = True):
        backbone = dict(backbone)
        backbone.setdefault('type', 'VGGish')
        if not backbone.get('frozen', True):
            raise ValueError('VGGish embedding cache: the audio backbone is trainable '
                             '(frozen=False); its embeddings change while training and '
                             'cannot be cached')
        weights = backbone.get('pretrained')
        if not weights:
            raise ValueError('VGGish embedding cache: backbone.pretrained is not set; the '
                             'cache needs the fixed VGGish weights file the model loads '
                             '(randomly initialised weights differ between the model and '
                             'the cache)')
        self.cache_dir = cache_dir
        self.backbone_cfg = backbone
        self.weights_path = osp.abspath(weights)
        self.load_audio = LoadAudio(sample_rate=sample_rate, duration=duration,
                                    normalize=normalize)
        self.to_log_mel = VGGishLogMel()
        self._vggish = None
        self._fingerprint: Optional[str] = None
        self._key: Optional[str] = None

    # ------------------------------------------------------------- identity
    @property
    def preprocessing(self) -> Dict:
        return dict(sample_rate=self.load_audio.sample_rate, duration=self.load_audio.duration,
                    normalize=self.load_audio.normalize, log_mel=log_mel_frontend_params())

    def _weights_stat(self) -> Dict:
        try:
            stat = os.stat(self.weights_path)
        except FileNotFoundError:
            raise FileNotFoundError(f'{self.weights_path}: VGGish weights file not found '
                                    '(the embedding cache is keyed by these weights)') from None
        return dict(size=stat.st_size, mtime_ns=stat.st_mtime_ns)

    @property
    def weights_fingerprint(self) -> str:
        """Fingerprint of the VGGish weights: read from ``weights_index.json``
        when the weights file is unchanged since it was computed, else computed
        by loading the weights (and recorded)."""
        if self._fingerprint is None:
            stat = self._weights_stat()
            index_path = osp.join(self.cache_dir, WEIGHTS_INDEX)
            index = {}
            if osp.isfile(index_path):
                try:
                    with open(index_path) as f:
                        index = json.load(f)
                except (OSError, ValueError):
                    index = {}  # rebuilt below
            entry = index.get(self.weights_path)
            if entry is not None and all(entry.get(k) == v for k, v in stat.items()):
                self._fingerprint = entry['fingerprint']
            else:
                self._fingerprint = self.vggish.weights_fingerprint()
                index[self.weights_path] = dict(stat, fingerprint=self._fingerprint)
                atomic_write_text(index_path, json.dumps(index, indent=1, sort_keys=True),
                                  per_process_tmp=True)
        return self._fingerprint

    @property
    def key(self) -> str:
        """The folder name of this weights + pre-processing combination."""
        if self._key is None:
            identity = dict(format=CACHE_FORMAT_VERSION, weights=self.weights_fingerprint,
                            preprocessing=self.preprocessing)
            self._key = _sha1(json.dumps(identity, sort_keys=True).encode())[:20]
            key_dir = osp.join(self.cache_dir, self._key)
            meta = osp.join(key_dir, 'meta.json')
            if not osp.isfile(meta):
                atomic_write_text(meta, json.dumps(dict(identity, weights_file=self.weights_path),
                                                   indent=1, sort_keys=True),
                                  per_process_tmp=True)
        return self._key

    @property
    def key_dir(self) -> str:
        return osp.join(self.cache_dir, self.key)

    # ---------------------------------------------------------------- clips
    @staticmethod
    def clip_id(results: dict) -> str:
        """Hash of what a clip's embeddings are computed from: an already
        loaded ``log_mel`` or ``waveform`` (their bytes), else the audio file
        (absolute path, size, modification time)."""
        for name in ('log_mel', 'waveform'):
            if results.get(name) is not None:
                array = np.ascontiguousarray(results[name], dtype=np.float32)
                return _sha1(name.encode() + str(array.shape).encode() + array.tobytes())
        path = results.get('audio_path')
        if path is None:
            raise KeyError(f"VGGish embedding cache: sample {results.get('sample_id')} has no "
                           "'audio_path', 'waveform' or 'log_mel'")
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            raise DataFileNotFoundError(f'{path}: audio file not found (sample '
                                        f"{results.get('sample_id')})") from None
        return _sha1(f'file:{osp.abspath(path)}:{stat.st_size}:{stat.st_mtime_ns}'.encode())

    def entry_path(self, clip_id: str) -> str:
        return osp.join(self.key_dir, clip_id[:2], clip_id + '.npy')

    def load(self, clip_id: str) -> Optional[np.ndarray]:
        """The ``(T, 128)`` float32 entry, or None if absent or unreadable
        (a torn or foreign file is recomputed, never trusted)."""
        path = self.entry_path(clip_id)
        try:
            embedding = np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            return None
        if embedding.ndim != 2 or embedding.dtype != np.float32:
            return None
        return embedding

    def store(self, clip_id: str, embedding: np.ndarray) -> str:
        path = self.entry_path(clip_id)
        with atomic_output_path(path, suffix='.npy') as tmp:
            np.save(tmp, np.ascontiguousarray(embedding, dtype=np.float32))
        return path

    # -------------------------------------------------------------- compute
    def log_mel_of(self, results: dict) -> np.ndarray:
        """``(T, 1, 96, 64)`` float32 log-mel examples of a clip, computed as
        the uncached pipeline does (:class:`LoadAudio` + :class:`VGGishLogMel`)."""
        if results.get('log_mel') is not None:
            return np.asarray(results['log_mel'], dtype=np.float32)
        results = self.to_log_mel(self.load_audio(dict(results)))
        return results['log_mel']

    @property
    def vggish(self) -> torch.nn.Module:
        """The frozen VGGish with the cached weights (built on first use, CPU)."""
        if self._vggish is None:
            vggish = MODELS.build(self.backbone_cfg)
            vggish.init_weights()
            self._vggish = vggish.eval()
        return self._vggish

    def embed(self, log_mel: torch.Tensor) -> torch.Tensor:
        """``(N, 1, 96, 64)`` log-mel examples -> ``(N, 128)`` VGGish embeddings
        (on the device of ``log_mel``; the VGGish follows it)."""
        vggish = self.vggish
        if next(vggish.parameters()).device != log_mel.device:
            self._vggish = vggish = vggish.to(log_mel.device)
        with torch.no_grad():
            return vggish(log_mel.float())


@TRANSFORMS.register_module()
class LoadVGGishEmbedding:
    """Set ``results['audio_embedding']`` ``(T, 128)`` from the VGGish
    embedding cache; use it instead of ``LoadAudio`` + ``VGGishLogMel``.

    On a miss the clip is loaded and embedded here (CPU, in the data worker)
    and stored, so the first epoch fills the cache; or fill it beforehand with
    ``tools/data/cache_vggish_embeddings.py CONFIG``. The sample's metainfo gets
    ``vggish_weights_hash``: the model refuses embeddings of other weights than
    its own VGGish (:func:`check_cached_embeddings`, run on every batch by
    :class:`sspl.engine.hooks.EmbeddingCacheCheckHook` and by the inference API).

    Args:
        cache_dir: root folder of the cache (e.g. ``data_root + '/vggish_embeddings'``).
        backbone: the model's audio backbone config (frozen, with ``pretrained``
            set to the weights file the model loads).
        sample_rate, duration, normalize: the audio pre-processing
            (:class:`LoadAudio`'s parameters).
        on_miss: ``'compute'`` (embed and store) or ``'error'`` (a clear error
            naming the clip and the tool to run).
    """

    def __init__(self, cache_dir: str, backbone: Dict, sample_rate: int = 16000,
                 duration: float = 3.0, normalize: bool = True, on_miss: str = 'compute'):
        if on_miss not in ('compute', 'error'):
            raise ValueError(f"LoadVGGishEmbedding: on_miss must be 'compute' or 'error', "
                             f'got {on_miss!r}')
        self.cache = VGGishEmbeddingCache(cache_dir, backbone, sample_rate, duration, normalize)
        self.on_miss = on_miss

    @property
    def load_audio(self) -> LoadAudio:
        """The audio loading this transform applies (rate, window,
        normalisation), for callers that hand it waveforms."""
        return self.cache.load_audio

    def __call__(self, results: dict) -> dict:
        cache = self.cache
        clip_id = cache.clip_id(results)
        embedding = cache.load(clip_id)
        if embedding is None:
            if self.on_miss == 'error':
                raise FileNotFoundError(
                    f"{cache.entry_path(clip_id)}: no cached VGGish embedding for sample "
                    f"{results.get('sample_id')} ({results.get('audio_path')}); run "
                    'tools/data/cache_vggish_embeddings.py CONFIG first')
            log_mel = torch.from_numpy(cache.log_mel_of(results))
            embedding = cache.embed(log_mel).cpu().numpy()
            cache.store(clip_id, embedding)
        results['audio_embedding'] = embedding
        results[FINGERPRINT_KEY] = cache.weights_fingerprint
        results[CACHE_DIR_KEY] = cache.key_dir
        results['pack_meta_keys'] = tuple(results.get('pack_meta_keys', ())) + (
            FINGERPRINT_KEY, CACHE_DIR_KEY)
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(cache_dir={self.cache.cache_dir!r}, '
                f'weights={self.cache.weights_path!r}, on_miss={self.on_miss!r})')


# ------------------------------------------------------- checking the model


def check_cached_embeddings(model: torch.nn.Module, data_samples) -> None:
    """Refuse cached embeddings computed with other weights than the model's.

    Each sample read through :class:`LoadVGGishEmbedding` carries the
    fingerprint of the VGGish weights its embeddings came from
    (``vggish_weights_hash`` in its metainfo). The model's own backbones are
    the modules with a ``weights_fingerprint()`` (e.g.
    :class:`sspl.models.backbones.VGGish`): the fingerprint must be one of
    theirs, or a :class:`ValueError` names the sample, both fingerprints and
    the cache folder. Samples without a fingerprint (no cache) and models
    without a fingerprinted backbone (a method that does not read the
    embeddings' backbone) pass. Cheap after the first call: the backbones keep
    their fingerprint until their weights are loaded again.

    Args:
        model: the localizer (a DDP wrapper's ``module`` is looked into).
        data_samples: the batch's data samples (``LocalizationDataSample``).
    """
    cached = [(sample, sample.metainfo.get(FINGERPRINT_KEY)) for sample in data_samples or []]
    cached = [(sample, fingerprint) for sample, fingerprint in cached if fingerprint is not None]
    if not cached:
        return
    model = getattr(model, 'module', model)
    backbones = [module for module in model.modules()
                 if callable(getattr(module, 'weights_fingerprint', None))]
    if not backbones:
        return
    own = {module.weights_fingerprint() for module in backbones}
    for sample, fingerprint in cached:
        if fingerprint not in own:
            ours = ', '.join(sorted(value[:12] for value in own))
            raise ValueError(
                f'{type(model).__name__}: the cached VGGish embeddings of sample '
                f'{sample.metainfo.get("sample_id")} were computed with other VGGish '
                f'weights (fingerprint {fingerprint[:12]}, model {ours}, cache '
                f'{sample.metainfo.get(CACHE_DIR_KEY)}); point the pipeline\'s '
                'LoadVGGishEmbedding at the weights the model loads')


# ------------------------------------------------------------ filling ahead
def find_cache_transform(pipeline) -> Optional[tuple]:
    """``(index, config)`` of the ``LoadVGGishEmbedding`` in a pipeline config
    (a list of transform dicts), or None."""
    for index, transform in enumerate(pipeline or []):
        if transform.get('type') in ('LoadVGGishEmbedding', 'sspl.LoadVGGishEmbedding'):
            return index, transform
    return None


class _ClipLogMel(torch.utils.data.Dataset):
    """Item ``i`` of a dataset whose pipeline stops before the cache transform:
    ``(clip_id, (T, 1, 96, 64) log-mel, or None when already cached)``."""

    def __init__(self, dataset, cache: VGGishEmbeddingCache):
        self.dataset = dataset
        self.cache = cache

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, index):
        results = self.dataset[index]
        clip_id = self.cache.clip_id(results)
        if self.cache.load(clip_id) is not None:
            return clip_id, None
        return clip_id, torch.from_numpy(self.cache.log_mel_of(results))


def fill_embedding_cache(dataset, cache: VGGishEmbeddingCache, device: str = 'cpu',
                         batch_size: int = 32, num_workers: int = 0,
                         log_every: int = 0) -> tuple:
    """Embed every clip of ``dataset`` that ``cache`` lacks: log-mel in
    ``num_workers`` data workers, VGGish batched on ``device``.

    ``dataset[i]`` must return the results dict as the cache transform would
    see it (the pipeline cut before ``LoadVGGishEmbedding``). Returns
    ``(num_clips, num_computed)``; ``log_every`` > 0 prints progress every
    that many batches.
    """
    import time
    cache.key  # noqa: B018  (resolve the weights fingerprint once, in this process)
    loader = torch.utils.data.DataLoader(
        _ClipLogMel(dataset, cache), batch_size=batch_size, num_workers=num_workers,
        collate_fn=list, shuffle=False)
    computed, seen, start = 0, 0, time.perf_counter()
    for batch_index, items in enumerate(loader, 1):
        seen += len(items)
        pending = [(clip_id, log_mel) for clip_id, log_mel in items if log_mel is not None]
        if pending:
            counts = [log_mel.shape[0] for _, log_mel in pending]
            log_mel = torch.cat([log_mel for _, log_mel in pending]).to(device)
            embeddings = cache.embed(log_mel).cpu().split(counts)
            for (clip_id, _), embedding in zip(pending, embeddings):
                cache.store(clip_id, embedding.numpy())
            computed += len(pending)
        if log_every and (batch_index % log_every == 0 or seen == len(dataset)):
            print(f'  {seen}/{len(dataset)} clips, {computed} computed, '
                  f'{seen / (time.perf_counter() - start):.1f} clips/s', flush=True)
    return seen, computed
