# EZ-VSL on the built-in synthetic dataset, small enough for 2 CPU cores: the
# classes, algorithm, optimiser (Adam, lr 1e-4) and 224 px pre-processing of
# configs/ezvsl/ezvsl_flickr10k.py, scaled through the config: ResNet-18s at
# 1/4 width (16 base channels: a 128 x 7 x 7 map), 64-d embeddings, batch 32,
# 12 epochs, the checkpoint chosen by cIoU on the validation split.
# The image encoder starts from the synthetic stand-in for ImageNet (a
# ResNet-18 pretrained to tell the synthetic objects apart, built on first use)
# and is fine-tuned, as the published one is; the audio encoder starts from
# the published initialisation. From random image weights EZ-VSL finds a
# shortcut instead (the peak on a fixed corner: pointing game 0).
_base_ = [
    '../_base_/models/ezvsl.py',
    '../_base_/datasets/synthetic_spectrogram.py',
    '../_base_/schedules/vsl_adam.py',
    '../_base_/default_runtime.py',
]
model = dict(
    visual_backbone=dict(base_channels=16, pretrained={{_base_.synthetic_resnet18}}),
    audio_backbone=dict(base_channels=16),
    visual_proj=dict(in_channels=128, out_channels=64),
    audio_proj=dict(in_channels=128, out_channels=64),
)
train_cfg = dict(max_epochs=12, val_interval=1)
default_hooks = dict(
    logger=dict(interval=8),
    # builds model.visual_backbone.pretrained before training when it is missing
    synthetic_backbone=dict(type='SyntheticBackboneHook'))
