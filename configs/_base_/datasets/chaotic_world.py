# Chaotic World (MMVRAC 2024 Track 4): frames 320 x 180, 3 s wavs, JSON boxes
# in frame pixels; evaluated on the test split every epoch, as published.
# Layout and preparation (tools/data/prepare_chaotic_world.py):
# docs/dataset_preparation.md. Batch sizes: the top-level configs.
dataset_type = 'ChaoticWorldDataset'
data_root = 'data/chaotic_world'
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
# The published test view squashes the frame (its pack holds 256 x 256
# frames): the whole frame resized to 224 x 224, which gives the published
# ground truth int(x * 224 / 320), int(y * 224 / 180).
test_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=16000, duration=3.0),
    dict(type='VGGishLogMel'),
    dict(type='Resize', size=(image_size, image_size)),
    dict(type='PackAVInputs'),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='chaotic_world_train.csv',
                 pipeline=train_pipeline),
)
test_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='chaotic_world_test.json',
                 skip_missing=True, test_mode=True, pipeline=test_pipeline),
)
val_dataloader = test_dataloader
val_evaluator = dict(type='CIoUMetric', protocol='fixed')
test_evaluator = val_evaluator
