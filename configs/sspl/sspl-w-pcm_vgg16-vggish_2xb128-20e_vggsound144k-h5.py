# SSPL w/ PCM trained on the published VGG-Sound 144k h5 pack, tested on the
# VGG-SS h5 pack (4692). For the 10k pack use ../_base_/datasets/vggsound10k_h5.py.
_base_ = [
    '../_base_/models/sspl_w_pcm.py',
    '../_base_/datasets/vggsound144k_h5.py',
    '../_base_/schedules/sspl_adamw.py',
    '../_base_/default_runtime.py',
]
