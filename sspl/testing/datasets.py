"""Datasets of the bad-input tests, and the entries of an embedding cache."""
import glob
import os.path as osp

from sspl.datasets import BaseAVDataset

#: frame and one second of 16 kHz audio, packed
FRAME_AUDIO_PIPELINE = [dict(type='LoadFrame'),
                        dict(type='LoadAudio', sample_rate=16000, duration=1.0),
                        dict(type='PackAVInputs')]


class ListDataset(BaseAVDataset):
    """A dataset over a given data list (the contract of BaseAVDataset)."""

    def __init__(self, items, **kwargs):
        self._items = items
        super().__init__(**kwargs)

    def load_data_list(self):
        return [dict(item) for item in self._items]


def embedding_cache_entries(cache_dir: str) -> list:
    """The embedding files of a ``LoadVGGishEmbedding`` cache, sorted."""
    return sorted(glob.glob(osp.join(cache_dir, '*', '*', '*.npy')))
