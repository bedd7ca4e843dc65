# SSPL w/ PCM on the synthetic set
# (sspl-w-pcm_vgg16-tiny-vggish-tiny_1xb32-10e_synthetic-112px.py), tested on its
# extended split (the test clips and as many negatives: silent clips, clips
# whose sounding class is absent from the frame) under every protocol:
#     python tools/test.py \
#         configs/sspl/sspl-w-pcm_vgg16-tiny-vggish-tiny_1xb32-10e_synthetic-112px-extended.py CKPT
_base_ = ['./sspl-w-pcm_vgg16-tiny-vggish-tiny_1xb32-10e_synthetic-112px.py']

test_dataloader = dict(dataset=dict(split='test_extended'))
# SSPL's raw map is a cosine similarity: the scale SLAVC's and vssl_eval's
# thresholds are applied on.
test_evaluator = dict(_delete_=True, type='LocalizationMetric', protocols='all',
                      protocol='fixed', score_range=(-1, 1))
