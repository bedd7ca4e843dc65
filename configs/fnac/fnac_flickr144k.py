# FNAC trained on SoundNet-Flickr 144k, tested on Flickr
# (published train_flickr.sh with the 144k list: 30 epochs, the
# first 5 on the contrastive loss alone, batch 256 on one GPU, Adam lr 1e-4,
# weight decay 1e-4, image dropout 0.9, spectrogram masks).
_base_ = [
    '../_base_/models/fnac.py',
    '../_base_/datasets/flickr144k.py',
    '../_base_/datasets/spectrogram_pipelines.py',
    '../_base_/schedules/vsl_adam.py',
    '../_base_/default_runtime.py',
]

# Batch 256, as published on one GPU; batch_size is per process, so set
# 256 // N for N GPUs (the negatives of a sample then come from its process'
# share unless model.loss.gather_negatives=True).
train_dataloader = dict(batch_size=256,
                        dataset=dict(pipeline={{_base_.spectrogram_masked_train_pipeline}}))
# The published test view; as in the published code (and the dataset config),
# the test set also selects the checkpoint: docs/evaluation.md for a val split.
test_dataloader = dict(dataset=dict(pipeline={{_base_.spectrogram_test_pipeline}}))
val_dataloader = test_dataloader
# The published threshold: the top half of the pixels of each map.
val_evaluator = dict(type='CIoUMetric', protocol='median')
test_evaluator = val_evaluator
train_cfg = dict(max_epochs=30)
optim_wrapper = dict(optimizer=dict(weight_decay=1e-4))
