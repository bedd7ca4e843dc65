# SoundNet-Flickr 144k training pack (shards h5py_train_*_144k_1.h5 ... _10.h5;
# any number of shards), Flickr test clips as files (see flickr10k_h5.py).
_base_ = ['./flickr10k_h5.py']

train_dataloader = dict(dataset=dict(pack='144k_unlabeled/h5py_train_{kind}_144k'))
