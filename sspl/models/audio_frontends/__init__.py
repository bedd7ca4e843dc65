from .base import BaseAudioFrontend
from .log_spectrogram import LogSpectrogramFrontend
from .vggish_log_mel import VGGishLogMelFrontend

__all__ = ['BaseAudioFrontend', 'LogSpectrogramFrontend', 'VGGishLogMelFrontend']
