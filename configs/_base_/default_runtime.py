default_scope = 'sspl'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Keep the latest checkpoints and the best one by validation cIoU.
    # AtomicCheckpointHook is mmengine's CheckpointHook (same arguments) with
    # atomic writes, old files deleted only after the new one is complete, and
    # exact resume ('CheckpointHook' is the stock one).
    checkpoint=dict(type='AtomicCheckpointHook', interval=1, max_keep_ckpts=2,
                    save_best='cIoU', rule='greater'),
    # Early stopping (advised by SSPL's authors); ResumableEarlyStoppingHook is
    # mmengine's EarlyStoppingHook whose state survives a resume:
    # early_stopping=dict(type='ResumableEarlyStoppingHook', monitor='cIoU',
    #                     rule='greater', min_delta=0.001, patience=10),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # A few heatmap overlays per validation to TensorBoard; tools/test.py
    # --show-dir writes one PNG per test sample.
    visualization=dict(type='LocalizationVisualizationHook', enable=True, val_samples=4),
)

# Checkpoints that torch.load(weights_only=True) reads (resume on torch >= 2.6).
custom_hooks = [dict(type='CheckpointCompatHook'),
                # Per-sample cIoU of each validation / test in <work_dir>/<timestamp>/per_sample/.
                dict(type='PerSampleResultsHook'),
                # Random state re-derived from (seed, epoch): a resumed run continues exactly.
                dict(type='EpochSeedHook'),
                # Stop at the first NaN/Inf loss, saving the state to inspect.
                dict(type='NaNGuardHook'),
                # Log training samples skipped for unreadable files; stop above 5% per epoch.
                dict(type='SkippedSampleHook', max_skip_fraction=0.05),
                # Refuse cached VGGish embeddings of other weights than the model's.
                dict(type='EmbeddingCacheCheckHook'),
                # Distributed runs: every rank ends each epoch with the same buffers
                # (BN running statistics averaged over the ranks, mmengine's hook):
                # the state rank 0 checkpoints is every rank's, so a resume continues
                # exactly and validation on every rank scores the checkpoint.
                dict(type='SyncBuffersHook'),
                # Distributed runs: a rank that dies or freezes is named and the
                # others stop within ~32 s (heartbeats in the rendezvous store)
                # instead of waiting for the collective timeout below.
                dict(type='RankWatchdogHook', interval=2, timeout=30)]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # timeout: seconds a collective waits for the other ranks. Long (torch's
    # default), as ranks legitimately wait for rank 0 while it saves a checkpoint
    # or computes a metric; lost ranks are caught by RankWatchdogHook instead.
    dist_cfg=dict(backend='nccl', timeout=1800),
)

vis_backends = [dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')]
# Overlays at 224 px at least (the synthetic set's 112 px frames are drawn enlarged).
visualizer = dict(type='LocalizationVisualizer', vis_backends=vis_backends, name='visualizer',
                  min_size=224)

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=1234, deterministic=False)
