# The published optimizer of EZ-VSL and SLAVC (utils.build_optimizer_and_scheduler_adam):
# Adam, lr 1e-4, no weight decay, constant learning rate, over the parameters
# that require gradients (SLAVC's momentum networks are left out, as the
# published filter(lambda p: p.requires_grad, ...)). FNAC sets weight_decay=1e-4.
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='TrainableParamsOptimWrapperConstructor',
    optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0),
)
param_scheduler = []

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=20, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
