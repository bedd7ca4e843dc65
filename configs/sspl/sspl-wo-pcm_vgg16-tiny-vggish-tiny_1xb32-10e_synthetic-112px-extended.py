# SSPL w/o PCM on the synthetic set
# (sspl-wo-pcm_vgg16-tiny-vggish-tiny_1xb32-10e_synthetic-112px.py), tested on
# its extended split under every protocol (see the w/ PCM one,
# sspl-w-pcm_vgg16-tiny-vggish-tiny_1xb32-10e_synthetic-112px-extended.py).
_base_ = ['./sspl-wo-pcm_vgg16-tiny-vggish-tiny_1xb32-10e_synthetic-112px.py']

test_dataloader = dict(dataset=dict(split='test_extended'))
# SSPL's raw map is a cosine similarity.
test_evaluator = dict(_delete_=True, type='LocalizationMetric', protocols='all',
                      protocol='fixed', score_range=(-1, 1))
