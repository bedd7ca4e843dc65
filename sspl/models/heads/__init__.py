from .audio_head import AudioHead
from .simsiam_head import SimSiamHead

__all__ = ['AudioHead', 'SimSiamHead']
