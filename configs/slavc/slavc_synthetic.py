# SLAVC on the built-in synthetic dataset (scaled as configs/ezvsl/ezvsl_synthetic.py:
# 1/4-width ResNet-18s, 64-d embeddings, the image encoder from the synthetic
# stand-in for ImageNet and fine-tuned, Adam lr 1e-4, batch 32, 12 epochs; the
# published dropout and momentum).
_base_ = [
    '../_base_/models/slavc.py',
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
