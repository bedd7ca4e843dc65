# VGG-Sound: train on a 10k subset, evaluate on VGG-SS (SSPL's 4692 ids, boxes
# from the 5158-record json) every epoch. Layout and preparation:
# docs/dataset_preparation.md.
_base_ = ['./published_common.py']
dataset_type = 'VGGSoundDataset'
data_root = 'data/vggsound'

train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='vggsound_train_10k.csv',
                 pipeline={{_base_.train_pipeline}}))
test_dataloader = dict(
    # Squashed to 224 x 224: the published ground truth int(224 * max(v, 0)).
    # id_file=None evaluates on all 5158 records (the LVS test set).
    # skip_missing: clips without frame/audio are dropped with a counted warning.
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='vggss_test_5158.json',
                 id_file='vggss_test_4692.csv', skip_missing=True, test_mode=True,
                 pipeline={{_base_.squashed_test_pipeline}}))
val_dataloader = test_dataloader
