# The toy spectrogram method (toy_spectrogram_localizer.py, beside this file)
# on the built-in synthetic set: audio at 8 kHz, 2 s windows, its own
# spectrogram transform; 64 px frames. Put this folder on PYTHONPATH.
_base_ = ['../../../configs/_base_/datasets/synthetic.py',
          '../../../configs/_base_/default_runtime.py']
custom_imports = dict(imports=['toy_spectrogram_localizer'], allow_failed_imports=False)

model = dict(type='ToySpectrogramLocalizer', embed_dim=16, temperature=0.1)

toy_train_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=8000, duration=2.0),
    dict(type='ToySpectrogram', n_fft=128, hop_length=64),
    dict(type='ResizeShortEdge', size=72),
    dict(type='RandomCrop', size=64),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackAVInputs'),
]
toy_test_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=8000, duration=2.0),
    dict(type='ToySpectrogram', n_fft=128, hop_length=64),
    dict(type='ResizeShortEdge', size=64),
    dict(type='CenterCrop', size=64),
    dict(type='PackAVInputs'),
]
train_dataloader = dict(batch_size=8, dataset=dict(views='one_frame',
                                                   pipeline=toy_train_pipeline))
val_dataloader = dict(batch_size=8, dataset=dict(pipeline=toy_test_pipeline))
test_dataloader = dict(batch_size=8, dataset=dict(pipeline=toy_test_pipeline))

optim_wrapper = dict(type='OptimWrapper', constructor='TrainableParamsOptimWrapperConstructor',
                     optimizer=dict(type='Adam', lr=1e-3))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=4, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
