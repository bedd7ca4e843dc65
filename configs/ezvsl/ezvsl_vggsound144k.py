# EZ-VSL trained on VGG-Sound 144k, tested on VGG-SS (published
# scripts/train_vggsound144k.sh: 20 epochs, batch 128, Adam lr 1e-4).
_base_ = [
    '../_base_/models/ezvsl.py',
    '../_base_/datasets/vggss_5158.py',
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
# The published test set and view: the 5158 VGG-SS clips (vggss_5158.py).
# Validation: SSPL's 4692 VGG-SS ids, a subset of that test set (test-set
# selection, as the published scripts select on a test set; no annotated
# VGG-SS clip is left for a held-out split: docs/evaluation.md).
test_dataloader = dict(dataset=dict(pipeline={{_base_.spectrogram_test_pipeline}}))
val_dataloader = dict(dataset=dict(pipeline={{_base_.spectrogram_test_pipeline}}))
# The published threshold (the top half of the pixels of each map) is the
# headline cIoU / AUC, which save_best selects on.
val_evaluator = dict(type='CIoUMetric', protocol='median')
test_evaluator = dict(protocol='median')
train_cfg = dict(max_epochs=20)
