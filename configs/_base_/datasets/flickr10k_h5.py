# SoundNet-Flickr from the published preparation: the 10k training h5 pack
# (h5py_train_{frames,audios,spects}_10k.h5) and the Flickr test clips as
# files, in the published folder tree (link your SoundNet_Flickr folder to
# data/SoundNet_Flickr). Layout: docs/dataset_preparation.md.
data_root = 'data/SoundNet_Flickr'
image_size = 224

# The pack holds 256 x 256 frames (float32, squashed), the normalised 3 s
# waveform and its log-mel examples: LoadFrame / LoadAudio keep them, and no
# VGGishLogMel step is needed.
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
    dataset=dict(type='H5PackDataset', data_root=data_root,
                 pack='10k_unlabeled/h5py_train_{kind}_10k', pipeline=train_pipeline),
)
test_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='FlickrSoundNetDataset', data_root=data_root,
                 ann_file='flickr_test249_in5k.csv',
                 data_prefix=dict(frame='5k_labeled/Data/frames', audio='5k_labeled/Data/audio',
                                  annotation='5k_labeled/Annotations'),
                 skip_missing=True, test_mode=True, pipeline=test_pipeline),
)
val_dataloader = test_dataloader
val_evaluator = dict(type='CIoUMetric', protocol='fixed')
test_evaluator = val_evaluator
