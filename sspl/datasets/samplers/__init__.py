from .keyed_sampler import KeyedSampler

__all__ = ['KeyedSampler']
