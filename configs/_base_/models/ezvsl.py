# EZ-VSL at the published sizes (stoneMo/EZ-VSL model.py): ImageNet ResNet-18
# image encoder (fine-tuned, batch norms included), ResNet-18 audio encoder on
# the log spectrogram (1-channel stem, max-pooled, published initialisation),
# 512-d projections, tau 0.03, max-pooled MIL InfoNCE in both directions.
model = dict(
    type='EZVSL',
    tau=0.03,
    # Frames normalised with ImageNet's statistics; a pipeline that packs the
    # 16 kHz waveform instead of the spectrogram gets it computed here, batched.
    data_preprocessor=dict(type='AVDataPreprocessor',
                           mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                           audio_frontend=dict(type='LogSpectrogramFrontend', sample_rate=16000)),
    visual_backbone=dict(type='ResNet18', pretrained='torchvision', frozen=False),
    audio_backbone=dict(type='AudioResNet18'),
    visual_proj=dict(type='ConvProjection', in_channels=512, out_channels=512),
    audio_proj=dict(type='LinearProjection', in_channels=512, out_channels=512),
    # gather_negatives=True: negatives from every GPU's share of the batch
    # (published: each GPU's own).
    loss=dict(type='MaxMILInfoNCELoss', gather_negatives=False),
    # fuse_object_prior=True: the published test.py's AV + object-prior map
    # (a second ImageNet ResNet-18, alpha 0.4).
    test_cfg=dict(fuse_object_prior=False, alpha=0.4),
)
