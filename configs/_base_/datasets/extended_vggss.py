# Extended VGG-SS (SLAVC, Mo & Morgado, ECCV 2022): the 5158 annotated VGG-SS
# test clips (EZ-VSL's list) and 5158 negatives, no box
# (extended_vggss_test_plus_silent.csv, SLAVC's
# metadata/vggss_test_plus_silent.csv): 4779 test frames shown with another
# test clip's audio, 379 clips outside the test list with their own
# (off-screen or silent) audio. Prepare them with tools/data/prepare_vggsound.py
# --negatives (docs/dataset_preparation.md).
# Training on VGG-Sound 144k (SLAVC's recipe), validation as in
# vggsound144k.py; the test evaluator computes every protocol. score_range is
# the method's map scale: the method's config says it, e.g.
# test_evaluator = dict(score_range=(-1, 1)).
_base_ = ['./vggsound144k.py']

test_dataloader = dict(dataset=dict(id_file='vggss_test_5158.csv',
                                    negatives_file='extended_vggss_test_plus_silent.csv'))
test_evaluator = dict(_delete_=True, type='LocalizationMetric', protocols='all',
                      protocol='fixed')
