# VGG-SS open set (EZ-VSL, Mo & Morgado, ECCV 2022): train on the VGG-Sound
# clips of 110 "heard" classes (vggss_heard_train.txt, EZ-VSL's
# metadata/vggss_heard.txt, 59468 ids), test on the VGG-SS clips of those
# classes (vggss_heard_test.csv, 2564); vggss_unheard.py tests the same
# training on the other classes.
# Model selection: EZ-VSL selects on the heard test set (its
# train_vggsoundheard.sh: --testset vggss_heard), as here. No annotated clip
# of the heard classes lies outside the test lists (the 5158 VGG-SS records
# are the heard and unheard test lists and 19 others), so there is no
# held-out split: the honest choice is the last checkpoint (docs/evaluation.md,
# "Model selection").
_base_ = ['./vggsound10k.py']

train_dataloader = dict(dataset=dict(ann_file='vggss_heard_train.txt'))
test_dataloader = dict(dataset=dict(id_file='vggss_heard_test.csv'))
val_dataloader = test_dataloader
test_evaluator = dict(_delete_=True, type='LocalizationMetric',
                      protocols=['fixed', 'median', 'pointing', 'adaptive'], protocol='fixed')
