from .vgg16 import VGG16
from .vggish import VGGish

__all__ = ['VGG16', 'VGGish']
