from .embedding_projection import ConvProjection, LinearProjection
from .pcm import PredictiveCodingModule

__all__ = ['ConvProjection', 'LinearProjection', 'PredictiveCodingModule']
