# SSPL w/ PCM at the published sizes: frozen ImageNet VGG16 (to conv5_3),
# frozen AudioSet VGGish, audio head 128-512-512, PCM (4 cycles), SimSiam head.
model = dict(
    type='SSPL',
    # A pipeline that packs the waveform gets its VGGish log-mel examples
    # computed here, batched on the model's device (docs/benchmark.md).
    data_preprocessor=dict(type='AVDataPreprocessor',
                           mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                           audio_frontend=dict(type='VGGishLogMelFrontend')),
    # channels_last: same numbers, faster convolutions (docs/benchmark.md).
    visual_backbone=dict(type='VGG16', num_stages=5, frozen=True, pretrained='torchvision',
                         channels_last=True),
    # Point this at your copy of the AudioSet weights (see docs/model_zoo.md).
    audio_backbone=dict(type='VGGish', frozen=True,
                        pretrained='checkpoints/vggish-10086976.pth', channels_last=True),
    audio_head=dict(type='AudioHead', in_dim=128, hidden_dim=512, out_dim=512),
    neck=dict(type='PredictiveCodingModule', visual_channels=512, audio_channels=128,
              out_channels=512, cycles=4),
    head=dict(type='SimSiamHead', in_dim=512, dim=2048, pred_hidden_dim=512,
              loss=dict(type='SimSiamLoss')),
)
