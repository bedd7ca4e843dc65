# SLAVC at the published sizes (stoneMo/SLAVC model.py, train_vggsound144k.sh):
# two 512-d projection heads per modality, dropout 0.9 on the image map
# (audio 0), momentum networks (m = 0.999) as targets, tau 0.03.
model = dict(
    type='SLAVC',
    tau=0.03,
    data_preprocessor=dict(type='AVDataPreprocessor',
                           mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                           audio_frontend=dict(type='LogSpectrogramFrontend', sample_rate=16000)),
    visual_backbone=dict(type='ResNet18', pretrained='torchvision', frozen=False),
    audio_backbone=dict(type='AudioResNet18'),
    visual_proj=dict(type='ConvProjection', in_channels=512, out_channels=512),
    audio_proj=dict(type='LinearProjection', in_channels=512, out_channels=512),
    visual_dropout=0.9,
    audio_dropout=0.0,
    visual_momentum=0.999,
    audio_momentum=0.999,
    loss=dict(type='SLAVCLoss', gather_negatives=False),
    # The published test.py: online features (use_momentum_features=True is
    # train.py's validation), bicubic upsampling with align_corners=True, the
    # confidence of the fixed-bound scores; fuse_object_prior=True its
    # AV + OGL scores (alpha 0.9).
    test_cfg=dict(fuse_object_prior=False, alpha=0.9, use_momentum_features=False),
)
