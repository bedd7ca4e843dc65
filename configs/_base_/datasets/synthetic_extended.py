# The built-in synthetic set with its extended test split: the 256 test clips
# and as many negatives (silent clips; clips whose sounding class no object of
# the frame has), no box, flagged is_negative (sspl/datasets/synthetic.py).
# Training and validation as in synthetic.py; the test evaluator computes every
# protocol (docs/evaluation.md). score_range is the method's map scale: the
# method's config says it, e.g. test_evaluator = dict(score_range=(-1, 1)).
_base_ = ['./synthetic.py']

test_dataloader = dict(dataset=dict(split='test_extended'))
test_evaluator = dict(_delete_=True, type='LocalizationMetric', protocols='all',
                      protocol='fixed')
