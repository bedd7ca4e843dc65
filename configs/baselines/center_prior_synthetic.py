# Centre prior on the built-in synthetic set (docs/synthetic.md), test split:
# the same centred Gaussian map for every clip (CenterPriorLocalizer: no
# weights, no training), scored on the samples, ground truth and evaluator
# of configs/_base_/datasets/synthetic.py.
#     python tools/test.py configs/baselines/center_prior_synthetic.py
_base_ = ['../_base_/datasets/synthetic.py', '../_base_/default_runtime.py']

# map_size: the resolution of the localizer it is compared with (SSPL's VGG16
# map at 224 px is 14 x 14); sigma: a fraction of the map side.
model = dict(type='CenterPriorLocalizer', map_size=(14, 14), sigma=0.25)

# Test only: the centre prior does not train.
train_dataloader = None
val_dataloader = None
val_evaluator = None
test_cfg = dict(type='TestLoop')
