# The published pre-processing of EZ-VSL, SLAVC and FNAC (their datasets.py,
# identical in the three repos), for the datasets of configs/_base_/datasets/.
# A method config picks them, e.g. pipeline={{_base_.spectrogram_train_pipeline}}.
#
# Audio: PyAV decoding to 16-bit mono, the 3 s clip at the file's middle,
# /32767, tiled when short; scipy's spectrogram (512 / 274 overlap, Tukey
# window, density scaling), log(S + 1e-7) / 12, in float64 in the workers.
# sample_rate=16000: the toolbox's prepared wavs keep their video's rate,
# which differs between clips, and a batch needs one spectrogram size; the
# published loader uses each file's own rate (sample_rate=None does).
spectrogram_audio = [
    dict(type='LoadAudioPyAV', duration=3.0, sample_rate=16000),
    dict(type='LogSpectrogram'),
]
# Training frames: shorter side to int(224 * 1.1) = 246 (bicubic), random
# 224 crop, horizontal flip.
spectrogram_train_pipeline = [
    dict(type='LoadFrame'),
    *spectrogram_audio,
    dict(type='ResizeShortEdge', size=246),
    dict(type='RandomCrop', size=224),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackAVInputs'),
]
# FNAC: FrequencyMask then TimeMask (zeros, widths 0-9) on the spectrogram.
spectrogram_masked_train_pipeline = [
    dict(type='LoadFrame'),
    *spectrogram_audio,
    dict(type='FrequencyMask', max_width=10),
    dict(type='TimeMask', max_width=10),
    dict(type='ResizeShortEdge', size=246),
    dict(type='RandomCrop', size=224),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackAVInputs'),
]
# Test frames (Flickr and VGG-SS alike): the whole frame resized to 224 x 224
# (bicubic), boxes with it.
spectrogram_test_pipeline = [
    dict(type='LoadFrame'),
    *spectrogram_audio,
    dict(type='Resize', size=(224, 224)),
    dict(type='PackAVInputs'),
]
