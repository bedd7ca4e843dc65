# SSPL w/ PCM on the VGG-SS open-set protocol (EZ-VSL): trained on the 110
# heard classes (vggss_heard_train.txt), tested on their VGG-SS clips;
# sspl-w-pcm_vgg16-vggish_2xb128-20e_vggss-heard110-unheard.py tests the same
# checkpoint on the other classes.
_base_ = [
    '../_base_/models/sspl_w_pcm.py',
    '../_base_/datasets/vggss_heard.py',
    '../_base_/schedules/sspl_adamw.py',
    '../_base_/default_runtime.py',
]
