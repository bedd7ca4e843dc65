# SSPL w/ PCM trained on SoundNet-Flickr 10k (as
# sspl-w-pcm_vgg16-vggish_2xb128-20e_flickr10k.py), tested on Extended Flickr
# (SLAVC: the 249 test clips and 250 negatives) under every protocol. Data:
# docs/dataset_preparation.md (--negatives).
#     python tools/test.py \
#         configs/sspl/sspl-w-pcm_vgg16-vggish_2xb128-20e_flickr10k-extended-flickr.py CKPT
_base_ = [
    '../_base_/models/sspl_w_pcm.py',
    '../_base_/datasets/extended_flickr.py',
    '../_base_/schedules/sspl_adamw.py',
    '../_base_/default_runtime.py',
]
# SSPL's raw map is a cosine similarity.
test_evaluator = dict(score_range=(-1, 1))
