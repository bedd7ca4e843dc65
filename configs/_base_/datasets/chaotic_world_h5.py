# Chaotic World from the published MMVRAC Track 4 preparation (or its
# downloadable prepared pack): h5py_train_*.h5 and h5py_test_*.h5 with
# ChaoticWorld_test.csv (row order) and ChaoticWorld_test.json (boxes in
# 320 x 180 pixels), in the published folder tree (link your folder to
# data/ChaoticWorld). Layout: docs/dataset_preparation.md.
_base_ = ['./published_common.py']
data_root = 'data/ChaoticWorld'

train_dataloader = dict(
    batch_size=64,
    dataset=dict(type='H5PackDataset', data_root=data_root,
                 pack='all_unlabeled/h5py_train_{kind}',
                 pipeline={{_base_.h5_train_pipeline}}))
test_dataloader = dict(
    batch_size=64,
    dataset=dict(type='H5PackDataset', data_root=data_root,
                 pack='labeled/Data/h5py_test_{kind}', id_file='labeled/Data/ChaoticWorld_test.csv',
                 ann_file='labeled/Annotations/ChaoticWorld_test.json',
                 ann_format='chaotic_world', test_mode=True,
                 pipeline={{_base_.h5_test_pipeline}}))
val_dataloader = test_dataloader
