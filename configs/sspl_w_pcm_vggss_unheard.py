# The checkpoint of sspl_w_pcm_vggss_heard.py (110 heard classes), tested on
# the VGG-SS clips of the unheard classes.
#     python tools/test.py configs/sspl_w_pcm_vggss_unheard.py work_dirs/sspl_w_pcm_vggss_heard/...
_base_ = [
    './_base_/models/sspl_w_pcm.py',
    './_base_/datasets/vggss_unheard.py',
    './_base_/schedules/sspl_adamw.py',
    './_base_/default_runtime.py',
]
