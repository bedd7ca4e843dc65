# SSPL w/o PCM at the published sizes and with the published optimizer: the
# similarity map is computed on the frozen VGG16 map directly.
# Weights: docs/model_zoo.md (converting the released checkpoints, VGGish file).
# Data: SoundNet-Flickr 10k train, Flickr test 249 (docs/dataset_preparation.md).
_base_ = [
    '../_base_/models/sspl_wo_pcm.py',
    '../_base_/datasets/flickr10k.py',
    '../_base_/schedules/sspl_adamw.py',
    '../_base_/default_runtime.py',
]
