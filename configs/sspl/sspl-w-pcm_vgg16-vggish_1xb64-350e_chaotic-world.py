# SSPL w/ PCM on Chaotic World (MMVRAC 2024 Track 4), the published settings:
# 350 epochs, 1 GPU x 64, lr 2e-5 (PCM) / 2e-5 (audio head) / 5e-5 (SimSiam
# head), evaluated on the test split every epoch.
_base_ = [
    '../_base_/models/sspl_w_pcm.py',
    '../_base_/datasets/chaotic_world.py',
    '../_base_/schedules/sspl_adamw.py',
    '../_base_/default_runtime.py',
]

train_dataloader = dict(batch_size=64)
test_dataloader = dict(batch_size=64)
val_dataloader = test_dataloader
train_cfg = dict(max_epochs=350, val_interval=1)
