# SLAVC on the built-in synthetic dataset (scaled as configs/ezvsl/ezvsl_synthetic.py;
# the published dropout and momentum).
_base_ = [
    '../_base_/models/slavc.py',
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
