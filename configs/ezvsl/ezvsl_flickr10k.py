# EZ-VSL trained on SoundNet-Flickr 10k, tested on Flickr (published
# scripts/train_flickr10k.sh: 100 epochs, batch 128, Adam lr 1e-4).
_base_ = [
    '../_base_/models/ezvsl.py',
    '../_base_/datasets/flickr10k.py',
    '../_base_/datasets/spectrogram_pipelines.py',
    '../_base_/schedules/vsl_adam.py',
    '../_base_/default_runtime.py',
]

# Batch 128 in all, as published: the published scripts split it over their
# GPUs; here batch_size is per process, so set 128 // N for N GPUs (the
# negatives of a sample come from its process' share unless
# model.loss.gather_negatives=True).
train_dataloader = dict(batch_size=128,
                        dataset=dict(pipeline={{_base_.spectrogram_train_pipeline}}))
# The published test view; as in the published code (and the dataset config),
# the test set also selects the checkpoint: docs/evaluation.md for a val split.
test_dataloader = dict(dataset=dict(pipeline={{_base_.spectrogram_test_pipeline}}))
val_dataloader = test_dataloader
# The published threshold: the top half of the pixels of each map.
val_evaluator = dict(type='CIoUMetric', protocol='median')
test_evaluator = val_evaluator
train_cfg = dict(max_epochs=100)
