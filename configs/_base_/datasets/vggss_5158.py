# VGG-SS with the 5158 test ids of EZ-VSL, SLAVC and FNAC
# (vggss_test_5158.csv, EZ-VSL's metadata/vggss_test.csv: every record of
# vggss_test_5158.json, in its list's order) instead of SSPL's 4692.
# Training on VGG-Sound 144k. Model selection: the published recipes select
# on a test set (EZ-VSL, SLAVC: Flickr's test set while training on
# VGG-Sound); no annotated VGG-SS clip lies outside these 5158, so there is no
# held-out VGG-SS split: validation here is SSPL's 4692 ids (a subset of this
# test set, i.e. test-set selection; docs/evaluation.md, "Model selection").
# The test evaluator adds the adaptive protocol and the pointing game.
_base_ = ['./vggsound144k.py']

test_dataloader = dict(dataset=dict(id_file='vggss_test_5158.csv'))
test_evaluator = dict(_delete_=True, type='LocalizationMetric',
                      protocols=['fixed', 'median', 'pointing', 'adaptive'], protocol='fixed')
