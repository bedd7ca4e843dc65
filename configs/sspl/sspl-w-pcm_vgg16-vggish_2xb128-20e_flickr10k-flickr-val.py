# sspl-w-pcm_vgg16-vggish_2xb128-20e_flickr10k.py (configs/sspl_w_pcm.py) with
# honest model selection: the published recipe validates (and keeps its best
# checkpoint) on the Flickr test set itself; here the checkpoint is selected
# on annotated SoundNet-Flickr clips that are neither test clips nor training
# clips (data/flickr/flickr_val.csv, which you make once from the 5k labelled
# release: docs/evaluation.md, "Model selection"; their XMLs in
# data/flickr/Annotations/), and tested on the 249.
_base_ = ['./sspl-w-pcm_vgg16-vggish_2xb128-20e_flickr10k.py']

val_dataloader = dict(dataset=dict(
    ann_file='flickr_val.csv',
    exclude_id_file=['flickr_test249_in5k.csv', 'flickr_train_10k.csv']))
