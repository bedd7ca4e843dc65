"""Helpers of sspl's tests (as ``mmaction.testing``): small media files, tiny
configs and inputs, running tools and comparing runs, in-process faults, and
the parity rule. The readers of the parity data in ``../shared/parity`` are
submodules (``sspl_parity``, ``vsl_parity``, ``vsl_parity_compute``,
``metric_parity_cases``, ``protocol_parity_cases``), and so is the fault
injection hook the resume tests load through ``custom_imports``
(``fault_injection``: importing it registers the hook); ``localizers`` has
every registered localizer with a tiny config, ``web_demo`` the uploads of
the web page's tests. Nothing in the
package imports this (tests/test_import_layers.py checks it)."""
from .configs import (IMAGE_SIZE, TINY_MODEL, TINY_NECK, build_model, dump_config,
                      loader_options, synthetic_config, tiny_config, tiny_inputs,
                      tiny_train_config, varied_inputs)
from .datasets import FRAME_AUDIO_PIPELINE, ListDataset, embedding_cache_entries
from .faults import MALICIOUS_REFUSED, Exploit, SimulatedCrash, half_write
from .media import (FRAME_LEVEL_STEP, dominant_frequency, frame_level, grey_level_frame,
                    make_corrupt_video, make_moving_square_video, make_video,
                    moving_square_frame, tone, truncate,
                    uniform_frame, write_frame, write_group_csv, write_tone_wav, write_wav)
from .parity import (PARITY_RTOL, assert_parity_close, materialise_entry,
                     materialise_state_dict, max_relative_error)
from .repo import (PARITY_DIR, REPO_ROOT, SHARED_DIR, SYNTHETIC_CONFIG, import_module_file,
                   load_tool)
from .runs import (RecordingLogger, assert_same_tree, free_port, last_validation,
                   run_command, subprocess_env)

__all__ = [
    # configs
    'IMAGE_SIZE', 'TINY_MODEL', 'TINY_NECK', 'build_model', 'dump_config', 'loader_options',
    'synthetic_config', 'tiny_config', 'tiny_inputs', 'tiny_train_config', 'varied_inputs',
    # datasets
    'FRAME_AUDIO_PIPELINE', 'ListDataset', 'embedding_cache_entries',
    # faults
    'MALICIOUS_REFUSED', 'Exploit', 'SimulatedCrash', 'half_write',
    # media
    'FRAME_LEVEL_STEP', 'dominant_frequency', 'frame_level', 'grey_level_frame',
    'make_corrupt_video', 'make_moving_square_video', 'make_video', 'moving_square_frame', 'tone',
    'truncate', 'uniform_frame', 'write_frame', 'write_group_csv', 'write_tone_wav', 'write_wav',
    # parity
    'PARITY_RTOL', 'assert_parity_close', 'materialise_entry', 'materialise_state_dict',
    'max_relative_error',
    # repo
    'PARITY_DIR', 'REPO_ROOT', 'SHARED_DIR', 'SYNTHETIC_CONFIG', 'import_module_file', 'load_tool',
    # runs
    'RecordingLogger', 'assert_same_tree', 'free_port', 'last_validation', 'run_command',
    'subprocess_env',
]
