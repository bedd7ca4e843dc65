"""sspl: self-supervised sound source localization in visual scenes, on mmengine."""
from .version import __version__

__all__ = ['__version__']
