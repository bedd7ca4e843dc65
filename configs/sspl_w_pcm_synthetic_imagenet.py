# SSPL w/ PCM on the synthetic dataset with the ImageNet VGG16, 224 px.
# The entry point users type; configs/sspl/README.md lists every SSPL config
# and its results.
_base_ = ['./sspl/sspl-w-pcm_vgg16-vggish-tiny_1xb32-10e_synthetic-224px.py']
