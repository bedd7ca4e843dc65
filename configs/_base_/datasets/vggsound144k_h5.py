# VGG-Sound from the published preparation: the 144k training pack (shards
# h5py_train_*_144k_1.h5 ... _10.h5) and the VGG-SS test pack
# (h5py_test_*.h5, rows in the order of vggss_test_4692.csv), in the
# published folder tree (link your VGG-Sound folder to data/VGG-Sound).
# Layout: docs/dataset_preparation.md.
data_root = 'data/VGG-Sound'
image_size = 224

# Frames, waveforms and log-mel examples come from the packs.
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
# The published test view of a 256 x 256 pack frame (a plain resize to 224).
test_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=16000, duration=3.0),
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
    dataset=dict(type='H5PackDataset', data_root=data_root,
                 pack='144k_unlabeled/h5py_train_{kind}_144k', pipeline=train_pipeline),
)
test_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='H5PackDataset', data_root=data_root,
                 pack='5k_labeled/Data/h5py_test_{kind}', id_file='vggss_test_4692.csv',
                 ann_file='5k_labeled/Annotations/vggss_test_5158.json', ann_format='vggss',
                 test_mode=True, pipeline=test_pipeline),
)
val_dataloader = test_dataloader
val_evaluator = dict(type='CIoUMetric', protocol='fixed')
test_evaluator = val_evaluator
