# VGG-Sound 144k training subset, VGG-SS test (see vggsound10k.py).
_base_ = ['./vggsound10k.py']

train_dataloader = dict(dataset=dict(ann_file='vggsound_train_144k.csv'))
