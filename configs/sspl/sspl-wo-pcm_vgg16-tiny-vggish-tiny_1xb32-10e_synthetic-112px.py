# SSPL w/o PCM on the built-in synthetic dataset (see
# sspl-w-pcm_vgg16-tiny-vggish-tiny_1xb32-10e_synthetic-112px.py).
_base_ = ['./sspl-w-pcm_vgg16-tiny-vggish-tiny_1xb32-10e_synthetic-112px.py']

model = dict(neck=None)
