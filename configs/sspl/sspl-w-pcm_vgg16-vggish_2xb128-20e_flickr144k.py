# SSPL w/ PCM trained on the SoundNet-Flickr 144k list, tested on Flickr 249
# (published defaults of sspl-w-pcm_vgg16-vggish_2xb128-20e_flickr10k.py otherwise).
_base_ = ['./sspl-w-pcm_vgg16-vggish_2xb128-20e_flickr10k.py']

train_dataloader = dict(dataset=dict(ann_file='flickr_train_144k.csv'))
