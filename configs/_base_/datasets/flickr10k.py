# SoundNet-Flickr: train on the 10k list, evaluate on SSPL's 249 annotated test
# clips every epoch (the published code selects its checkpoint on this test
# set). Layout and preparation: docs/dataset_preparation.md.
_base_ = ['./published_common.py']
dataset_type = 'FlickrSoundNetDataset'
data_root = 'data/flickr'

train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='flickr_train_10k.csv',
                 pipeline={{_base_.train_pipeline}}))
test_dataloader = dict(
    # skip_missing: clips without frame/audio are dropped with a counted warning.
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='flickr_test249_in5k.csv',
                 data_prefix=dict(annotation='Annotations'), skip_missing=True,
                 test_mode=True, pipeline={{_base_.flickr_test_pipeline}}))
val_dataloader = test_dataloader
