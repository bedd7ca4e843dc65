"""No import runs from a lower layer of sspl up to a higher one, and the three
middle packages (datasets, evaluation, models) do not import each other: they
meet in the registry, the data samples and the configs. ``sspl.testing`` (the
tests' helpers) sits above everything: nothing of the package imports it.

Checked statically: every ``import`` / ``from ... import`` of every module
under sspl/ (function-level imports included, relative imports resolved) is
read with ``ast``; nothing is imported.
"""
import ast
import os
import os.path as osp

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
PACKAGE = osp.join(REPO_ROOT, 'sspl')

BOTTOM = {'audio', 'structures', 'utils', 'registry', 'version'}
MIDDLE = {'datasets', 'evaluation', 'models'}
TOP = {'engine', 'apis', 'visualization'}
TESTS = {'testing'}
RANK = {**{name: 0 for name in BOTTOM}, **{name: 1 for name in MIDDLE},
        **{name: 2 for name in TOP}, **{name: 3 for name in TESTS}}

#: imports allowed against the rules, with the reason
ALLOWED = {
    # register_all_modules imports every package so that their components
    # register (mmpretrain's sspl.utils.register_all_modules does the same).
    ('sspl.utils.setup_env', 'datasets'), ('sspl.utils.setup_env', 'engine'),
    ('sspl.utils.setup_env', 'evaluation'), ('sspl.utils.setup_env', 'models'),
    ('sspl.utils.setup_env', 'visualization'),
}


def sspl_modules(package_dir: str = PACKAGE):
    root = osp.dirname(package_dir)
    for folder, _, files in os.walk(package_dir):
        for name in sorted(files):
            if name.endswith('.py'):
                path = osp.join(folder, name)
                parts = osp.relpath(path, root)[:-3].split(os.sep)
                is_package = parts[-1] == '__init__'
                if is_package:
                    parts = parts[:-1]
                yield '.'.join(parts), path, is_package


def imported_modules(module: str, path: str, is_package: bool):
    """Absolute names of the sspl modules ``path`` imports."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    package = module.split('.') if is_package else module.split('.')[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                prefix = '.'.join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ''
            # `from sspl import models` imports sspl.models
            names = [prefix] + [f'{prefix}.{alias.name}' for alias in node.names]
        else:
            continue
        for name in names:
            if name.startswith('sspl.') and len(name.split('.')) > 1:
                yield node.lineno, name


def layer_of(module: str) -> str:
    return module.split('.')[1] if module.count('.') >= 1 else ''


def violations(package_dir: str = PACKAGE):
    found = []
    root = osp.dirname(package_dir)
    for module, path, is_package in sspl_modules(package_dir):
        own = layer_of(module)
        if own not in RANK:
            continue
        for line, target in imported_modules(module, path, is_package):
            other = layer_of(target)
            if other not in RANK or other == own or (module, other) in ALLOWED:
                continue
            upward = RANK[other] > RANK[own]
            sideways = RANK[other] == RANK[own] == 1
            if upward or sideways:
                found.append(f'{osp.relpath(path, root)}:{line}: {own} imports {target}')
    return sorted(set(found))


def test_no_import_runs_up_a_layer_or_between_middle_packages():
    assert violations() == []


def test_the_check_sees_imports(tmp_path):
    """The checker itself: it finds a function-level relative import from
    datasets into evaluation, an absolute one from utils up to models and one
    from apis up to the tests' helpers, and lets evaluation import the bottom
    layer."""
    fake = tmp_path / 'sspl'
    for layer in ('datasets', 'utils', 'evaluation', 'apis'):
        (fake / layer).mkdir(parents=True)
    (fake / 'datasets' / 'bad.py').write_text('def f():\n    from ..evaluation import functional\n')
    (fake / 'utils' / 'worse.py').write_text('import sspl.models.backbones\n')
    (fake / 'evaluation' / 'fine.py').write_text('from sspl.structures import boxes\n')
    (fake / 'apis' / 'uses_tests.py').write_text('from sspl.testing import media\n')
    assert violations(str(fake)) == [
        'sspl/apis/uses_tests.py:1: apis imports sspl.testing',
        'sspl/apis/uses_tests.py:1: apis imports sspl.testing.media',
        'sspl/datasets/bad.py:2: datasets imports sspl.evaluation',
        'sspl/datasets/bad.py:2: datasets imports sspl.evaluation.functional',
        'sspl/utils/worse.py:1: utils imports sspl.models.backbones']


@pytest.mark.parametrize('layer', sorted(MIDDLE))
def test_each_middle_package_has_modules(layer):
    assert any(module.startswith(f'sspl.{layer}.') for module, _, _ in sspl_modules())
