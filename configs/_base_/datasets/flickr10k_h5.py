# SoundNet-Flickr from the published preparation: the 10k training h5 pack
# (h5py_train_{frames,audios,spects}_10k.h5) and the Flickr test clips as
# files, in the published folder tree (link your SoundNet_Flickr folder to
# data/SoundNet_Flickr). Layout: docs/dataset_preparation.md.
_base_ = ['./published_common.py']
data_root = 'data/SoundNet_Flickr'

train_dataloader = dict(
    dataset=dict(type='H5PackDataset', data_root=data_root,
                 pack='10k_unlabeled/h5py_train_{kind}_10k',
                 pipeline={{_base_.h5_train_pipeline}}))
test_dataloader = dict(
    # The Flickr test clips are files, as in flickr10k.py.
    dataset=dict(type='FlickrSoundNetDataset', data_root=data_root,
                 ann_file='flickr_test249_in5k.csv',
                 data_prefix=dict(frame='5k_labeled/Data/frames', audio='5k_labeled/Data/audio',
                                  annotation='5k_labeled/Annotations'),
                 skip_missing=True, test_mode=True, pipeline={{_base_.flickr_test_pipeline}}))
val_dataloader = test_dataloader
