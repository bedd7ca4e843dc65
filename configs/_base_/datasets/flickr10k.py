# SoundNet-Flickr: train on the 10k list, evaluate on SSPL's 249 annotated test
# clips every epoch (the published code selects its checkpoint on this test
# set). Layout and preparation: docs/dataset_preparation.md.
dataset_type = 'FlickrSoundNetDataset'
data_root = 'data/flickr'
image_size = 224

train_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=16000, duration=3.0),
    dict(type='VGGishLogMel'),
    # The published training frames were squashed to 256 x 256 by its packing
    # step; the two views are then cut from the squashed frame.
    dict(type='Resize', size=(256, 256)),
    dict(type='MultiView', num_views=2, transforms=[
        dict(type='ResizeShortEdge', size=int(image_size * 1.1)),
        dict(type='RandomCrop', size=image_size),
        dict(type='RandomFlip', prob=0.5),
    ]),
    dict(type='PackAVInputs'),
]
# Published test view of the Flickr frames: shorter side to 224, centre crop.
test_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=16000, duration=3.0),
    dict(type='VGGishLogMel'),
    dict(type='ResizeShortEdge', size=image_size),
    dict(type='CenterCrop', size=image_size),
    dict(type='PackAVInputs'),
]

train_dataloader = dict(
    batch_size=128,  # per GPU; published: 2 GPUs x 128
    num_workers=8,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='flickr_train_10k.csv',
                 pipeline=train_pipeline),
)
test_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    # skip_missing: clips without frame/audio are dropped with a counted warning.
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='flickr_test249_in5k.csv',
                 data_prefix=dict(annotation='Annotations'), skip_missing=True,
                 test_mode=True, pipeline=test_pipeline),
)
val_dataloader = test_dataloader
val_evaluator = dict(type='CIoUMetric', protocol='fixed')
test_evaluator = val_evaluator
