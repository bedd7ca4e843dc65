# SSPL w/ PCM on the built-in synthetic dataset with the published visual
# backbone: torchvision's ImageNet VGG16 (downloaded into torch's hub cache on
# first use) on 224 px scenes and the published sizes of the trainable parts
# (audio head 128-512-512, 512-channel PCM, SimSiam head 2048 / 512). VGGish
# stays the small He-initialised one of the synthetic config (no AudioSet
# weights needed: its embeddings tell the synthetic tones apart).
# tools/run_demo.sh picks this config by itself where a CUDA GPU is present
# and the weights are cached or downloadable (tools/synthetic/imagenet_vgg16_available.py);
# on a CPU the full VGG16 makes an epoch take tens of minutes.
_base_ = ['./sspl-w-pcm_vgg16-tiny-vggish-tiny_1xb32-10e_synthetic-112px.py']

image_size = 224
data_root = 'data/synthetic_224'

model = dict(
    visual_backbone=dict(num_stages=5, width_mult=1.0, frozen=True, channels_last=True,
                         pretrained='torchvision'),
    audio_head=dict(in_dim=128, hidden_dim=512, out_dim=512),
    neck=dict(visual_channels=512, audio_channels=128, out_channels=512),
    head=dict(in_dim=512, dim=2048, pred_hidden_dim=512),
)

train_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=16000, duration=3.0),
    dict(type='VGGishLogMel'),
    dict(type='MultiView', num_views=2, transforms=[
        dict(type='ResizeShortEdge', size=int(image_size * 1.1)),
        dict(type='RandomCrop', size=image_size),
        dict(type='RandomFlip', prob=0.5),
    ]),
    dict(type='PackAVInputs'),
]
test_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadAudio', sample_rate=16000, duration=3.0),
    dict(type='VGGishLogMel'),
    dict(type='ResizeShortEdge', size=image_size),
    dict(type='CenterCrop', size=image_size),
    dict(type='PackAVInputs'),
]
train_dataloader = dict(dataset=dict(data_root=data_root, image_size=image_size,
                                     pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root, image_size=image_size,
                                   pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(data_root=data_root, image_size=image_size,
                                    pipeline=test_pipeline))
