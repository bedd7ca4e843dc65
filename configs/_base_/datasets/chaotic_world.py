# Chaotic World (MMVRAC 2024 Track 4): frames 320 x 180, 3 s wavs, JSON boxes
# in frame pixels; evaluated on the test split every epoch, as published.
# Layout and preparation (tools/data/prepare_chaotic_world.py):
# docs/dataset_preparation.md. Published batch sizes: 64 (w/ PCM) and 128
# (w/o PCM, set in its top-level config).
_base_ = ['./published_common.py']
dataset_type = 'ChaoticWorldDataset'
data_root = 'data/chaotic_world'

train_dataloader = dict(
    batch_size=64,
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='chaotic_world_train.csv',
                 pipeline={{_base_.train_pipeline}}))
test_dataloader = dict(
    batch_size=64,
    # Squashed to 224 x 224: the published ground truth int(x * 224 / 320),
    # int(y * 224 / 180).
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='chaotic_world_test.json',
                 skip_missing=True, test_mode=True,
                 pipeline={{_base_.squashed_test_pipeline}}))
val_dataloader = test_dataloader
