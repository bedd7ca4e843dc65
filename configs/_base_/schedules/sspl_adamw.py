# The published optimizer: AdamW, betas (0.9, 0.999), weight decay 1e-4, four
# parameter groups with their own learning rates. Frozen backbones are left out.
lr_frame = 2e-5      # PCM convolutions and batch norms (and its rates a0, b0)
lr_sound = 2e-5      # trainable audio head
lr_ssl_head = 5e-5   # SimSiam projector and predictor

optim_wrapper = dict(
    type='OptimWrapper',
    constructor='TrainableParamsOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=lr_frame, betas=(0.9, 0.999), weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={
        'audio_head': dict(lr=lr_sound),
        'neck': dict(lr=lr_frame),
        'error_rates': dict(lr=lr_frame, decay_mult=0.0),
        'prediction_rates': dict(lr=lr_frame, decay_mult=0.0),
        'projector': dict(lr=lr_ssl_head),
        'predictor': dict(lr=lr_ssl_head),
    }),
)

# Constant learning rates, as published.
param_scheduler = []

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=20, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
