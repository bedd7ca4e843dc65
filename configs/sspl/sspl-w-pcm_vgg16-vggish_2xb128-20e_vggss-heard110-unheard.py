# The checkpoint of sspl-w-pcm_vgg16-vggish_2xb128-20e_vggss-heard110.py (110
# heard classes), tested on the VGG-SS clips of the unheard classes:
#     python tools/test.py \
#         configs/sspl/sspl-w-pcm_vgg16-vggish_2xb128-20e_vggss-heard110-unheard.py \
#         work_dirs/sspl-w-pcm_vgg16-vggish_2xb128-20e_vggss-heard110/best_cIoU_epoch_N.pth
_base_ = [
    '../_base_/models/sspl_w_pcm.py',
    '../_base_/datasets/vggss_unheard.py',
    '../_base_/schedules/sspl_adamw.py',
    '../_base_/default_runtime.py',
]
