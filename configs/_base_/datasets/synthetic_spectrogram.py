# The built-in synthetic dataset (configs/_base_/datasets/synthetic.py) with
# the spectrogram pre-processing of EZ-VSL, SLAVC and FNAC, one frame per
# clip: its 16 kHz clips through the published audio loading and log
# spectrogram; 112 px frames, the published augmentation scaled to them.
_base_ = ['./synthetic.py']

synthetic_audio = [
    dict(type='LoadAudioPyAV', duration=3.0, sample_rate=16000),
    dict(type='LogSpectrogram'),
]
spectrogram_train_pipeline = [
    dict(type='LoadFrame'),
    *synthetic_audio,
    dict(type='ResizeShortEdge', size=int(112 * 1.1)),
    dict(type='RandomCrop', size=112),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackAVInputs'),
]
spectrogram_masked_train_pipeline = [
    dict(type='LoadFrame'),
    *synthetic_audio,
    dict(type='FrequencyMask', max_width=10),
    dict(type='TimeMask', max_width=10),
    dict(type='ResizeShortEdge', size=int(112 * 1.1)),
    dict(type='RandomCrop', size=112),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackAVInputs'),
]
spectrogram_test_pipeline = [
    dict(type='LoadFrame'),
    *synthetic_audio,
    dict(type='Resize', size=(112, 112)),
    dict(type='PackAVInputs'),
]
train_dataloader = dict(dataset=dict(views='one_frame', pipeline=spectrogram_train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=spectrogram_test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=spectrogram_test_pipeline))
val_evaluator = dict(type='CIoUMetric', protocol='median')
test_evaluator = val_evaluator
