# Chaotic World from the published MMVRAC Track 4 preparation (or its
# downloadable prepared pack): h5py_train_*.h5 and h5py_test_*.h5 with
# ChaoticWorld_test.csv (row order) and ChaoticWorld_test.json (boxes in
# 320 x 180 pixels), in the published folder tree (link your folder to
# data/ChaoticWorld). Layout: docs/dataset_preparation.md.
data_root = 'data/ChaoticWorld'
image_size = 224

# Frames (256 x 256, squashed), waveforms and log-mel examples from the packs.
train_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=16000, duration=3.0),
    dict(type='MultiView', num_views=2, transforms=[
        dict(type='ResizeShortEdge', size=int(image_size * 1.1)),
        dict(type='RandomCrop', size=image_size),
        dict(type='RandomFlip', prob=0.5),
    ]),
    dict(type='PackAVInputs'),
]
# The published test view of a 256 x 256 pack frame (a plain resize to 224);
# boxes are squashed with the frame.
test_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=16000, duration=3.0),
    dict(type='ResizeShortEdge', size=image_size),
    dict(type='CenterCrop', size=image_size),
    dict(type='PackAVInputs'),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='H5PackDataset', data_root=data_root,
                 pack='all_unlabeled/h5py_train_{kind}', pipeline=train_pipeline),
)
test_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='H5PackDataset', data_root=data_root,
                 pack='labeled/Data/h5py_test_{kind}', id_file='labeled/Data/ChaoticWorld_test.csv',
                 ann_file='labeled/Annotations/ChaoticWorld_test.json',
                 ann_format='chaotic_world', test_mode=True, pipeline=test_pipeline),
)
val_dataloader = test_dataloader
val_evaluator = dict(type='CIoUMetric', protocol='fixed')
test_evaluator = val_evaluator
