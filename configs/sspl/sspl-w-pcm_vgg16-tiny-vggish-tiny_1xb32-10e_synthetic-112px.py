# SSPL w/ PCM on the built-in synthetic dataset, small enough for 2 CPU cores
# (docs/synthetic.md). Same classes and algorithm as
# sspl-w-pcm_vgg16-vggish_2xb128-20e_flickr10k.py, scaled through the config:
# 112 px frames; VGG16 with 4 stages at 1/8 width gives a 64 x 14 x 14 map;
# VGGish at 1/8 width; a 64-channel PCM.
_base_ = [
    '../_base_/models/sspl_w_pcm.py',
    '../_base_/datasets/synthetic.py',
    '../_base_/schedules/sspl_adamw.py',
    '../_base_/default_runtime.py',
]

model = dict(
    # Frozen, pretrained on the synthetic object classes (generator version 1):
    # the stand-in for ImageNet. Built on first use by
    # the SyntheticBackboneHook below (or up front by
    # tools/synthetic/pretrain_backbone.py); the file name says what it was
    # made from, so a backbone of another version is not picked up.
    visual_backbone=dict(
        num_stages=4, width_mult=0.125, frozen=True, channels_last=False,
        pretrained='work_dirs/synthetic_backbone/vgg16_s4_w0.125_synthetic-v1_objects.pth'),
    # Frozen, randomly initialised (He init): its embeddings already tell the
    # synthetic sounds apart; the audio head on top learns.
    audio_backbone=dict(width_mult=0.125, hidden_dim=256, pretrained=None,
                        channels_last=False),
    audio_head=dict(in_dim=128, hidden_dim=128, out_dim=64),
    neck=dict(visual_channels=64, audio_channels=128, out_channels=64),
    head=dict(in_dim=64, dim=512, pred_hidden_dim=128),
)

# The published groups, with one learning rate for all (the published 2e-5 /
# 5e-5 are tuned for ImageNet features and 10k-144k clips).
lr = 3e-4
optim_wrapper = dict(
    optimizer=dict(lr=lr),
    paramwise_cfg=dict(custom_keys={
        'audio_head': dict(lr=lr),
        'neck': dict(lr=lr),
        'error_rates': dict(lr=lr, decay_mult=0.0),
        'prediction_rates': dict(lr=lr, decay_mult=0.0),
        'projector': dict(lr=lr),
        'predictor': dict(lr=lr),
    }),
)
train_cfg = dict(max_epochs=10, val_interval=1)
default_hooks = dict(
    logger=dict(interval=8),
    # builds model.visual_backbone.pretrained before training when it is missing
    synthetic_backbone=dict(type='SyntheticBackboneHook'))
