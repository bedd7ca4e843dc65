# VGG-Sound 10k training pack, VGG-SS test pack (see vggsound144k_h5.py).
_base_ = ['./vggsound144k_h5.py']

train_dataloader = dict(dataset=dict(pack='10k_unlabeled/h5py_train_{kind}_10k'))
