from .checkpoint import (CheckpointError, check_keys, get_state_dict, load_weights_strict,
                         safe_load)
from .setup_env import register_all_modules

__all__ = ['CheckpointError', 'check_keys', 'get_state_dict', 'load_weights_strict', 'safe_load',
           'register_all_modules']
