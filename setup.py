import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(name):
    """Requirement lines of requirements/<name>.txt, without comments."""
    with open(osp.join(HERE, 'requirements', f'{name}.txt')) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


def read_version():
    scope = {}
    with open(osp.join(HERE, 'sspl', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='sspl',
    version=read_version(),
    description='Self-supervised sound source localization in visual scenes (SSPL) on mmengine',
    long_description=open(osp.join(HERE, 'README.md')).read() if osp.exists(
        osp.join(HERE, 'README.md')) else '',
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'docs')),
    python_requires='>=3.9',
    install_requires=read_requirements('runtime'),
    extras_require={
        'optional': read_requirements('optional'),
        'tests': read_requirements('tests'),
        # the web page (tools/demo/app.py)
        'demo': read_requirements('demo'),
        'all': read_requirements('optional') + read_requirements('tests') +
        read_requirements('demo'),
    },
    zip_safe=False,
)
