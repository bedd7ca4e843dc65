# EZ-VSL on the built-in synthetic dataset, small enough for 2 CPU cores: the
# classes and algorithm of configs/ezvsl/ezvsl_flickr10k.py, scaled through
# the config: ResNet-18s at 1/4 width (16 base channels: a 128 x 4 x 4 map at
# 112 px), 64-d embeddings, both encoders trained from random weights (no
# ImageNet here), Adam at 1e-3.
_base_ = [
    '../_base_/models/ezvsl.py',
    '../_base_/datasets/synthetic_spectrogram.py',
    '../_base_/schedules/vsl_adam.py',
    '../_base_/default_runtime.py',
]
model = dict(
    visual_backbone=dict(base_channels=16, pretrained=None),
    audio_backbone=dict(base_channels=16),
    visual_proj=dict(in_channels=128, out_channels=64),
    audio_proj=dict(in_channels=128, out_channels=64),
)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=10, val_interval=1)
default_hooks = dict(logger=dict(interval=8))
