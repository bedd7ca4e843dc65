# SSPL w/ PCM on the prepared Chaotic World h5 packs, with the published
# settings of sspl-w-pcm_vgg16-vggish_1xb64-350e_chaotic-world.py (350 epochs, 1 GPU x 64).
_base_ = [
    '../_base_/models/sspl_w_pcm.py',
    '../_base_/datasets/chaotic_world_h5.py',
    '../_base_/schedules/sspl_adamw.py',
    '../_base_/default_runtime.py',
]

train_dataloader = dict(batch_size=64)
test_dataloader = dict(batch_size=64)
val_dataloader = test_dataloader
train_cfg = dict(max_epochs=350, val_interval=1)
