# VGG-Sound from the published preparation: the 144k training pack (shards
# h5py_train_*_144k_1.h5 ... _10.h5) and the VGG-SS test pack
# (h5py_test_*.h5, rows in the order of vggss_test_4692.csv), in the
# published folder tree (link your VGG-Sound folder to data/VGG-Sound).
# Layout: docs/dataset_preparation.md.
_base_ = ['./published_common.py']
data_root = 'data/VGG-Sound'

train_dataloader = dict(
    dataset=dict(type='H5PackDataset', data_root=data_root,
                 pack='144k_unlabeled/h5py_train_{kind}_144k',
                 pipeline={{_base_.h5_train_pipeline}}))
test_dataloader = dict(
    dataset=dict(type='H5PackDataset', data_root=data_root,
                 pack='5k_labeled/Data/h5py_test_{kind}', id_file='vggss_test_4692.csv',
                 ann_file='5k_labeled/Annotations/vggss_test_5158.json', ann_format='vggss',
                 test_mode=True, pipeline={{_base_.h5_test_pipeline}}))
val_dataloader = test_dataloader
