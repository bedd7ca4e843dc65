# SSPL w/o PCM on the built-in synthetic dataset, small enough for 2 CPU cores.
# The entry point users type; configs/sspl/README.md lists every SSPL config
# and its results.
_base_ = ['./sspl/sspl-wo-pcm_vgg16-tiny-vggish-tiny_1xb32-10e_synthetic-112px.py']
