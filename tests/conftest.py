"""Shared fixtures. Tests that need ``../shared`` (parity data, real metadata)
skip with a reason where it is absent; CI has it."""
import os
import os.path as osp
import sys

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DIR = os.environ.get('SSPL_SHARED_DIR', osp.join(osp.dirname(REPO_ROOT), 'shared'))

if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)


def _require(path: str) -> str:
    if not osp.exists(path):
        pytest.skip(f'{path} is absent: the shared parity/metadata folder is not beside the '
                    'repository (CI has it at ../shared)')
    return path


@pytest.fixture(scope='session')
def repo_root() -> str:
    return REPO_ROOT


@pytest.fixture(scope='session')
def shared_dir() -> str:
    return _require(SHARED_DIR)


@pytest.fixture(scope='session')
def parity_dir() -> str:
    return _require(osp.join(SHARED_DIR, 'parity'))


@pytest.fixture(scope='session')
def metadata_dir() -> str:
    return _require(osp.join(SHARED_DIR, 'metadata'))


@pytest.fixture(scope='session', autouse=True)
def _register_sspl():
    from sspl.utils import register_all_modules
    register_all_modules()
