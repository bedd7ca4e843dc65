from .audio_head import AudioHead
from .object_prior import ObjectPrior
from .simsiam_head import SimSiamHead

__all__ = ['AudioHead', 'ObjectPrior', 'SimSiamHead']
