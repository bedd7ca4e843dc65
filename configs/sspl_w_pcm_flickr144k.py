# SSPL w/ PCM trained on the SoundNet-Flickr 144k list, tested on Flickr 249
# (published defaults of configs/sspl_w_pcm.py otherwise).
_base_ = ['./sspl_w_pcm.py']

train_dataloader = dict(dataset=dict(ann_file='flickr_train_144k.csv'))
