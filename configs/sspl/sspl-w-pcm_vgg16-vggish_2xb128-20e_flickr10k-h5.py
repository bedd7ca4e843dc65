# SSPL w/ PCM trained on the published SoundNet-Flickr 10k h5 pack, tested on
# the Flickr 249 clips (published layout: configs/_base_/datasets/flickr10k_h5.py).
# For the 144k pack use ../_base_/datasets/flickr144k_h5.py.
_base_ = [
    '../_base_/models/sspl_w_pcm.py',
    '../_base_/datasets/flickr10k_h5.py',
    '../_base_/schedules/sspl_adamw.py',
    '../_base_/default_runtime.py',
]
