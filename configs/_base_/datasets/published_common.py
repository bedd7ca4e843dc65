# What the published benchmark setups share (SoundNet-Flickr, VGG-Sound /
# VGG-SS, Chaotic World; prepared files or the published h5 packs): the
# published pipelines, the loaders and the evaluator. Each benchmark's config
# adds its datasets and picks its pipelines, e.g. {{_base_.train_pipeline}}.
image_size = 224

# Prepared files (tools/data/prepare_*.py): frame + wav per clip.
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
# The published h5 packs hold the 256 x 256 frames (float32, squashed), the
# normalised 3 s waveform and its log-mel examples: LoadFrame / LoadAudio keep
# them, and neither VGGishLogMel nor the squashing resize is needed.
h5_train_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=16000, duration=3.0),
    dict(type='MultiView', num_views=2, transforms=[
        dict(type='ResizeShortEdge', size=int(image_size * 1.1)),
        dict(type='RandomCrop', size=image_size),
        dict(type='RandomFlip', prob=0.5),
    ]),
    dict(type='PackAVInputs'),
]

# The published test views. Flickr test frames: shorter side to 224, centre
# crop.
flickr_test_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=16000, duration=3.0),
    dict(type='VGGishLogMel'),
    dict(type='ResizeShortEdge', size=image_size),
    dict(type='CenterCrop', size=image_size),
    dict(type='PackAVInputs'),
]
# VGG-SS and Chaotic World test frames came squashed (the published 256 x 256
# packs): the whole frame resized to 224 x 224, boxes squashed with it.
squashed_test_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=16000, duration=3.0),
    dict(type='VGGishLogMel'),
    dict(type='Resize', size=(image_size, image_size)),
    dict(type='PackAVInputs'),
]
# Test frames from a published h5 pack (already 256 x 256 and squashed, with
# their log-mel examples): a plain resize to 224.
h5_test_pipeline = [
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
    sampler=dict(type='KeyedSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
)
# The published code evaluates on its test set every epoch (and selects its
# checkpoint there); docs/evaluation.md shows how to select on a val split.
test_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='KeyedSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
)
val_dataloader = test_dataloader
val_evaluator = dict(type='CIoUMetric', protocol='fixed')
test_evaluator = val_evaluator
