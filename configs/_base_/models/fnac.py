# FNAC at the published sizes (OpenNLPLab/FNAC_AVL model.py, train_*.sh):
# EZ-VSL's model with dropout 0.9 on the image map before its projection,
# EZ-VSL's loss plus three terms weighted 100 after a 5-epoch warm-up.
_base_ = ['./ezvsl.py']
model = dict(
    type='FNAC',
    visual_dropout=0.9,
    audio_dropout=0.0,
    loss=dict(_delete_=True, type='FNACLoss', weights=(100.0, 100.0, 100.0), warmup_epochs=5,
              foreground_threshold=0.6, gather_negatives=False),
    # the published test.py's validate(); av_interpolation='bicubic',
    # av_align_corners=False is its validate2()
    test_cfg=dict(av_interpolation='bilinear', av_align_corners=True),
)
