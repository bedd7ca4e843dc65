# SSPL w/ PCM at the published sizes and with the published optimizer
# (Song et al., CVPR 2022): frozen ImageNet VGG16 and AudioSet VGGish, PCM with
# 4 cycles, SimSiam head; AdamW with the four published parameter groups.
# Weights: docs/model_zoo.md (converting the released checkpoints, VGGish file).
# Data: SoundNet-Flickr 10k train, Flickr test 249 (docs/dataset_preparation.md).
_base_ = [
    '../_base_/models/sspl_w_pcm.py',
    '../_base_/datasets/flickr10k.py',
    '../_base_/schedules/sspl_adamw.py',
    '../_base_/default_runtime.py',
]
