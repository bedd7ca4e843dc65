# The built-in synthetic dataset (sspl/datasets/synthetic.py): generated into
# data_root on first use, or beforehand with tools/data/make_synthetic.py.
dataset_type = 'SyntheticAVDataset'
data_root = 'data/synthetic'
image_size = 112
# The generator's version (sspl/datasets/synthetic.py, docs/synthetic.md), pinned
# so that a later version does not change these configs' data. (Version 2, six
# background styles, was tried and made SSPL attend to the background longer:
# docs/synthetic.md.)
generator_version = 1

train_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=16000, duration=3.0),
    dict(type='VGGishLogMel'),
    dict(type='MultiView', num_views=2, transforms=[
        dict(type='ResizeShortEdge', size=int(image_size * 1.1)),
        dict(type='RandomCrop', size=image_size),
        dict(type='RandomFlip', prob=0.5),
    ]),
    dict(type='PackAVInputs'),
]
test_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=16000, duration=3.0),
    dict(type='VGGishLogMel'),
    dict(type='ResizeShortEdge', size=image_size),
    dict(type='CenterCrop', size=image_size),
    dict(type='PackAVInputs'),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='KeyedSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type=dataset_type, data_root=data_root, split='train', num_samples=1024,
                 image_size=image_size, views='two_frames', generator_version=generator_version,
                 pipeline=train_pipeline),
)
# Model selection on a validation split; the test split is only for reporting.
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='KeyedSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type=dataset_type, data_root=data_root, split='val', num_samples=128,
                 image_size=image_size, generator_version=generator_version, test_mode=True,
                 pipeline=test_pipeline),
)
test_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='KeyedSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type=dataset_type, data_root=data_root, split='test', num_samples=256,
                 image_size=image_size, generator_version=generator_version, test_mode=True,
                 pipeline=test_pipeline),
)
val_evaluator = dict(type='CIoUMetric', protocol='fixed')
test_evaluator = val_evaluator
