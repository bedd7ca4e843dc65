from .embedding_cache import LoadVGGishEmbedding, VGGishEmbeddingCache
from .formatting import PackAVInputs
from .geometric import CenterCrop, RandomCrop, RandomFlip, Resize, ResizeShortEdge
from .loading import LoadAudio, LoadFrame, center_window, normalize_waveform
from sspl.audio.vggish_log_mel import waveform_to_log_mel_examples

from .log_mel import VGGishLogMel
from .log_mel_cache import LoadCachedLogMel
from .log_spectrogram import LogSpectrogram
from .published_vsl_loading import PublishedVSLLoading
from .pyav_audio import LoadAudioPyAV
from .spectrogram_masking import FrequencyMask, TimeMask
from .wrappers import MultiView

__all__ = ['PackAVInputs', 'CenterCrop', 'RandomCrop', 'RandomFlip', 'Resize', 'ResizeShortEdge',
           'LoadAudio', 'LoadFrame', 'center_window', 'normalize_waveform', 'VGGishLogMel',
           'waveform_to_log_mel_examples', 'MultiView', 'LoadCachedLogMel',
           'LoadVGGishEmbedding', 'VGGishEmbeddingCache', 'LogSpectrogram', 'LoadAudioPyAV',
           'FrequencyMask', 'TimeMask', 'PublishedVSLLoading']
