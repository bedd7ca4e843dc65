# SSPL w/ PCM trained on VGG-Sound 144k, tested on the 5158 VGG-SS ids of
# EZ-VSL / SLAVC / FNAC (SSPL's own configs test its 4692).
_base_ = [
    '../_base_/models/sspl_w_pcm.py',
    '../_base_/datasets/vggss_5158.py',
    '../_base_/schedules/sspl_adamw.py',
    '../_base_/default_runtime.py',
]
