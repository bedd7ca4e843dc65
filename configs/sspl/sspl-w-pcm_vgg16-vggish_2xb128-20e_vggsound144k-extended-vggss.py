# SSPL w/ PCM trained on VGG-Sound 144k (as
# sspl-w-pcm_vgg16-vggish_2xb128-20e_vggsound144k.py), tested on Extended
# VGG-SS (SLAVC: the 5158 test clips and 5158 negatives) under every
# protocol. Data: docs/dataset_preparation.md (--negatives).
#     python tools/test.py \
#         configs/sspl/sspl-w-pcm_vgg16-vggish_2xb128-20e_vggsound144k-extended-vggss.py CKPT
_base_ = [
    '../_base_/models/sspl_w_pcm.py',
    '../_base_/datasets/extended_vggss.py',
    '../_base_/schedules/sspl_adamw.py',
    '../_base_/default_runtime.py',
]
# SSPL's raw map is a cosine similarity.
test_evaluator = dict(score_range=(-1, 1))
