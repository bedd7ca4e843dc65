# FNAC on the built-in synthetic dataset (scaled as configs/ezvsl/ezvsl_synthetic.py;
# the published dropout, loss weights and masks, a 2-epoch warm-up of 10).
_base_ = [
    '../_base_/models/fnac.py',
    '../_base_/datasets/synthetic_spectrogram.py',
    '../_base_/schedules/vsl_adam.py',
    '../_base_/default_runtime.py',
]
model = dict(
    visual_backbone=dict(base_channels=16, pretrained=None),
    audio_backbone=dict(base_channels=16),
    visual_proj=dict(in_channels=128, out_channels=64),
    audio_proj=dict(in_channels=128, out_channels=64),
    loss=dict(warmup_epochs=2),
)
train_dataloader = dict(dataset=dict(pipeline={{_base_.spectrogram_masked_train_pipeline}}))
optim_wrapper = dict(optimizer=dict(lr=1e-3, weight_decay=1e-4))
train_cfg = dict(max_epochs=10, val_interval=1)
default_hooks = dict(logger=dict(interval=8))
