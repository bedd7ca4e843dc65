# SoundNet-Flickr 144k training list, Flickr test 249 (see flickr10k.py).
_base_ = ['./flickr10k.py']

train_dataloader = dict(dataset=dict(ann_file='flickr_train_144k.csv'))
