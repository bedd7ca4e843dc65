from .base_av_dataset import BaseAVDataset
from .chaotic_world import ChaoticWorldDataset
from .flickr import FlickrSoundNetDataset
from .frame_audio_dataset import FrameAudioDataset
from .h5_pack import H5PackDataset
from .negative_audio import NegativeAudioProbes
from .samplers import KeyedSampler
from .synthetic import SyntheticAVDataset
from .vggsound import VGGSoundDataset
from .transforms import *  # noqa: F401,F403

__all__ = ['BaseAVDataset', 'SyntheticAVDataset', 'FrameAudioDataset', 'FlickrSoundNetDataset',
           'VGGSoundDataset', 'ChaoticWorldDataset', 'H5PackDataset', 'NegativeAudioProbes',
           'KeyedSampler']
