# SSPL w/o PCM on the built-in synthetic dataset with torchvision's ImageNet
# VGG16 (see sspl_w_pcm_synthetic_imagenet.py).
_base_ = ['./sspl_w_pcm_synthetic_imagenet.py']

model = dict(neck=None)
