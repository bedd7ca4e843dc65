# SLAVC trained on VGG-Sound 144k (as slavc_vggsound144k.py), tested on
# Extended Flickr (the published scripts/test_extended_flickr_with_vggsound144k.sh):
# SSPL's 249 SoundNet-Flickr test clips and 250 negatives (extended_flickr.py),
# every protocol.
#     python tools/test.py configs/slavc/slavc_vggsound144k_extended-flickr.py CKPT
_base_ = ['./slavc_vggsound144k.py']

test_dataloader = dict(
    _delete_=True,
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='KeyedSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='FlickrSoundNetDataset', data_root='data/flickr',
                 ann_file='flickr_test249_in5k.csv', data_prefix=dict(annotation='Annotations'),
                 negatives_file='extended_flickr_test_plus_silent.csv', skip_missing=True,
                 test_mode=True, pipeline={{_base_.spectrogram_test_pipeline}}))
