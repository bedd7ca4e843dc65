"""Where the tests find the repository, its configs and tools, and the shared
reference data (``../shared`` beside the repository, or ``$SSPL_SHARED_DIR``);
importing the repository's scripts and out-of-package modules by path."""
import importlib.util
import os
import os.path as osp
import re
import sys
import uuid

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SHARED_DIR = os.environ.get('SSPL_SHARED_DIR', osp.join(osp.dirname(REPO_ROOT), 'shared'))
PARITY_DIR = osp.join(SHARED_DIR, 'parity')
SYNTHETIC_CONFIG = osp.join(REPO_ROOT, 'configs', 'sspl_w_pcm_synthetic.py')


def load_tool(relative_path: str):
    """Import a script of the repository (e.g. ``'tools/test.py'``) as a fresh
    module: executed anew on each call, under a unique name, and registered in
    ``sys.modules`` (so pickle, and thus process pools and dataclasses, can find
    its functions and classes). The tool's ``main(argv)`` is its command line."""
    path = osp.join(REPO_ROOT, relative_path)
    stem = re.sub(r'\W', '_', osp.splitext(relative_path)[0])
    name = f'sspl_tool_{stem}_{uuid.uuid4().hex[:8]}'
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def import_module_file(path: str):
    """Import the Python file ``path`` (e.g. a user's method outside the
    package) once, under its file name, as ``import <name>`` would with its
    folder on ``PYTHONPATH``: a config's ``custom_imports`` of that name then
    finds it already imported. ``sys.path`` is left as it is."""
    name = osp.splitext(osp.basename(path))[0]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
