# SSPL w/o PCM on the prepared Chaotic World h5 packs, with the published
# settings of sspl-wo-pcm_vgg16-vggish_1xb128-40e_chaotic-world.py (40 epochs,
# 1 GPU x 128, lr_sound 5e-4, lr_ssl_head 2e-3).
_base_ = [
    '../_base_/models/sspl_wo_pcm.py',
    '../_base_/datasets/chaotic_world_h5.py',
    '../_base_/schedules/sspl_adamw.py',
    '../_base_/default_runtime.py',
]

lr_sound = 5e-4
lr_ssl_head = 2e-3
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={
    'audio_head': dict(lr=lr_sound),
    'projector': dict(lr=lr_ssl_head),
    'predictor': dict(lr=lr_ssl_head),
}))
train_dataloader = dict(batch_size=128)
test_dataloader = dict(batch_size=128)
val_dataloader = test_dataloader
train_cfg = dict(max_epochs=40, val_interval=1)
