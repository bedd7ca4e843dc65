# VGG-Sound: train on a 10k subset, evaluate on VGG-SS (SSPL's 4692 ids, boxes
# from the 5158-record json) every epoch. Layout and preparation:
# docs/dataset_preparation.md.
dataset_type = 'VGGSoundDataset'
data_root = 'data/vggsound'
image_size = 224

train_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=16000, duration=3.0),
    dict(type='VGGishLogMel'),
    # The published training frames were squashed to 256 x 256 by its packing step.
    dict(type='Resize', size=(256, 256)),
    dict(type='MultiView', num_views=2, transforms=[
        dict(type='ResizeShortEdge', size=int(image_size * 1.1)),
        dict(type='RandomCrop', size=image_size),
        dict(type='RandomFlip', prob=0.5),
    ]),
    dict(type='PackAVInputs'),
]
# The published VGG-SS test frames come squashed (256 x 256 pack): the test
# view is the whole frame resized to 224 x 224, which gives the published
# ground truth int(224 * max(v, 0)).
test_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=16000, duration=3.0),
    dict(type='VGGishLogMel'),
    dict(type='Resize', size=(image_size, image_size)),
    dict(type='PackAVInputs'),
]

train_dataloader = dict(
    batch_size=128,  # per GPU; published: 2 GPUs x 128
    num_workers=8,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='vggsound_train_10k.csv',
                 pipeline=train_pipeline),
)
test_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    # id_file=None evaluates on all 5158 records (the LVS test set).
    # skip_missing: clips without frame/audio are dropped with a counted warning.
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='vggss_test_5158.json',
                 id_file='vggss_test_4692.csv', skip_missing=True, test_mode=True,
                 pipeline=test_pipeline),
)
val_dataloader = test_dataloader
val_evaluator = dict(type='CIoUMetric', protocol='fixed')
test_evaluator = val_evaluator
