# SSPL w/ PCM trained on a VGG-Sound 10k subset, tested on VGG-SS (4692) every
# epoch; published model, optimizer (lr 2e-5 / 2e-5 / 5e-5) and schedule.
_base_ = [
    '../_base_/models/sspl_w_pcm.py',
    '../_base_/datasets/vggsound10k.py',
    '../_base_/schedules/sspl_adamw.py',
    '../_base_/default_runtime.py',
]
