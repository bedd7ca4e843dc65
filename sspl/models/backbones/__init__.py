from .audio_resnet18 import AudioResNet18
from .resnet18 import ResNet18
from .vgg16 import VGG16
from .vggish import VGGish

__all__ = ['AudioResNet18', 'ResNet18', 'VGG16', 'VGGish']
