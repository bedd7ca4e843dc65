# SSPL w/o PCM on the built-in synthetic dataset with torchvision's ImageNet
# VGG16 (see sspl-w-pcm_vgg16-vggish-tiny_1xb32-10e_synthetic-224px.py).
_base_ = ['./sspl-w-pcm_vgg16-vggish-tiny_1xb32-10e_synthetic-224px.py']

model = dict(neck=None)
