# SSPL w/ PCM on the built-in synthetic dataset, small enough for a CPU.
# Same classes and algorithm as configs/sspl_w_pcm.py; the components are
# scaled through the config (112 px frames, VGG16 with 4 stages at 1/8 width
# gives a 64 x 14 x 14 map; VGGish at 1/8 width; a 64-channel PCM).
_base_ = [
    './_base_/models/sspl_w_pcm.py',
    './_base_/datasets/synthetic.py',
    './_base_/schedules/sspl_adamw.py',
    './_base_/default_runtime.py',
]

model = dict(
    visual_backbone=dict(num_stages=4, width_mult=0.125, frozen=True, pretrained=None),
    audio_backbone=dict(width_mult=0.125, hidden_dim=256, pretrained=None),
    audio_head=dict(in_dim=128, hidden_dim=128, out_dim=64),
    neck=dict(visual_channels=64, audio_channels=128, out_channels=64),
    head=dict(in_dim=64, dim=512, pred_hidden_dim=128),
)

lr_frame = 1e-3
lr_sound = 1e-3
lr_ssl_head = 1e-3
optim_wrapper = dict(
    optimizer=dict(lr=lr_frame),
    paramwise_cfg=dict(custom_keys={
        'audio_head': dict(lr=lr_sound),
        'neck': dict(lr=lr_frame),
        'error_rates': dict(lr=lr_frame, decay_mult=0.0),
        'prediction_rates': dict(lr=lr_frame, decay_mult=0.0),
        'projector': dict(lr=lr_ssl_head),
        'predictor': dict(lr=lr_ssl_head),
    }),
)
train_cfg = dict(max_epochs=8, val_interval=1)
default_hooks = dict(logger=dict(interval=8))
