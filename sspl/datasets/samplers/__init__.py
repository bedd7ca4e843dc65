from .keyed_sampler import DefaultSampler

__all__ = ['DefaultSampler']
