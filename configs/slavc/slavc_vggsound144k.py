# SLAVC trained on VGG-Sound 144k, tested on Extended VGG-SS (published
# scripts/train_vggsound144k.sh: 20 epochs, batch 128, Adam lr 1e-4, dropout 0.9 / 0,
# momentum 0.999).
_base_ = [
    '../_base_/models/slavc.py',
    '../_base_/datasets/extended_vggss.py',
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
# The published test set and view: Extended VGG-SS (extended_vggss.py: the
# 5158 VGG-SS clips and 5158 negatives), every protocol; the maps are
# cos / tau logits. Validation: SSPL's 4692 VGG-SS ids (positives, a subset
# of the test set; the published script selects on the Flickr test set).
test_dataloader = dict(dataset=dict(pipeline={{_base_.spectrogram_test_pipeline}}))
val_dataloader = dict(dataset=dict(pipeline={{_base_.spectrogram_test_pipeline}}))
val_evaluator = dict(type='CIoUMetric', protocol='median')
test_evaluator = dict(protocol='median', score_range=(-1 / 0.03, 1 / 0.03))
train_cfg = dict(max_epochs=20)
