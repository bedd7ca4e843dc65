from .checkpoint_compat_hook import CheckpointCompatHook

__all__ = ['CheckpointCompatHook']
