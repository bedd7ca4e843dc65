"""The workarounds of sspl.engine.compat change nothing in mmengine on import;
the safe checkpoint loader is installed (and removed) by explicit calls."""
import subprocess
import sys
import textwrap

import pytest
import torch

# Imports every sspl package and runs the registration entry point, then
# compares what mmengine holds before and after: its local checkpoint loader,
# its file backends and its root registries (sspl registers in child
# registries of its own, under its own names).
BARE_IMPORT = textwrap.dedent('''
    import mmengine.fileio.backends.registry_utils as backends
    import mmengine.registry as registries
    from mmengine.runner.checkpoint import CheckpointLoader

    def snapshot():
        roots = {name: dict(getattr(registries, name).module_dict)
                 for name in ('HOOKS', 'MODELS', 'OPTIM_WRAPPERS', 'TRANSFORMS', 'DATASETS')}
        return dict(CheckpointLoader._schemes), dict(backends.backends), roots

    schemes, file_backends, roots = snapshot()
    import sspl
    import sspl.apis, sspl.datasets, sspl.engine, sspl.evaluation, sspl.models
    import sspl.visualization
    from sspl.utils import register_all_modules
    register_all_modules()
    after_schemes, after_backends, after_roots = snapshot()
    assert after_schemes == schemes, 'CheckpointLoader changed on import'
    assert after_roots == roots, 'an mmengine root registry changed on import'
    changed = [key for key, value in file_backends.items() if after_backends.get(key) is not value]
    assert not changed, f'mmengine file backends replaced on import: {changed}'
    assert set(after_backends) - set(file_backends) == {'atomic_local'}

    from sspl.engine.compat import install_safe_checkpoint_loader
    from sspl.engine.compat.safe_checkpoint_loader import load_from_local
    install_safe_checkpoint_loader()
    assert CheckpointLoader._schemes[''] is load_from_local
    print('unchanged on import')
''')


def test_bare_import_changes_nothing_in_mmengine():
    result = subprocess.run([sys.executable, '-c', BARE_IMPORT], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'unchanged on import' in result.stdout


class Exploit:
    def __reduce__(self):
        return print, ('this must never run',)


@pytest.fixture
def pickled_code(tmp_path):
    path = tmp_path / 'pickled_code.pth'
    torch.save({'state_dict': {}, 'meta': {'note': Exploit()}}, path)
    return str(path)


def test_install_routes_mmengine_loads_through_safe_load_and_uninstall_restores(pickled_code):
    from mmengine.runner.checkpoint import CheckpointLoader

    from sspl.engine.compat import (install_safe_checkpoint_loader,
                                    safe_checkpoint_loader_installed,
                                    uninstall_safe_checkpoint_loader)
    from sspl.utils import CheckpointError
    was_installed = safe_checkpoint_loader_installed()
    uninstall_safe_checkpoint_loader()
    try:
        stock = CheckpointLoader._schemes['']
        assert stock.__module__ == 'mmengine.runner.checkpoint'
        install_safe_checkpoint_loader()
        install_safe_checkpoint_loader()  # idempotent
        assert safe_checkpoint_loader_installed()
        with pytest.raises(CheckpointError, match=r'pickled_code\.pth: refused to load'):
            CheckpointLoader.load_checkpoint(pickled_code, map_location='cpu')
        uninstall_safe_checkpoint_loader()
        assert CheckpointLoader._schemes[''] is stock
        assert not safe_checkpoint_loader_installed()
    finally:
        if was_installed:
            install_safe_checkpoint_loader()


def test_every_compat_module_is_in_the_table():
    """A workaround added to sspl.engine.compat gets its row (bug, fix, when to
    delete) in the table of the package's docstring."""
    import os
    import re

    import sspl.engine.compat as compat
    folder = os.path.dirname(compat.__file__)
    modules = {name[:-3] for name in os.listdir(folder)
               if name.endswith('.py') and name != '__init__.py'}
    table = compat.__doc__.split('Outside this package')[0]
    first_column = set(re.findall(r'^([a-z0-9_]+)', table, flags=re.MULTILINE))
    assert modules - first_column == set()
