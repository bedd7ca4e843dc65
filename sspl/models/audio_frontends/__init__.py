from .base import BaseAudioFrontend
from .vggish_log_mel import VGGishLogMelFrontend

__all__ = ['BaseAudioFrontend', 'VGGishLogMelFrontend']
