from .pcm import PredictiveCodingModule

__all__ = ['PredictiveCodingModule']
