# SSPL w/ PCM with the published settings, SoundNet-Flickr 10k -> Flickr test.
# The entry point users type; configs/sspl/README.md lists every SSPL config
# and its results.
_base_ = ['./sspl/sspl-w-pcm_vgg16-vggish_2xb128-20e_flickr10k.py']
