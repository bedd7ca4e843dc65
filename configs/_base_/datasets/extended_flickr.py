# Extended Flickr (SLAVC, Mo & Morgado, ECCV 2022): SSPL's 249 annotated
# SoundNet-Flickr test clips, and 250 negatives: each test frame shown with
# another test clip's audio, no box (extended_flickr_test_plus_silent.csv,
# SLAVC's metadata/flickr_test_plus_silent.csv). Prepare the negatives with
# tools/data/prepare_flickr.py --negatives (docs/dataset_preparation.md).
# SLAVC's positives are 250 clips: these 249 and 3908875350 (its frame is one
# negative's); to score exactly its set, list the 250 ids in ann_file.
# Training and validation as in flickr10k.py (the published recipes select on
# the plain Flickr test set; docs/evaluation.md, "Model selection"); the test
# evaluator computes every protocol. score_range is the method's map scale:
# the method's config says it, e.g. test_evaluator = dict(score_range=(-1, 1)).
_base_ = ['./flickr10k.py']

test_dataloader = dict(dataset=dict(negatives_file='extended_flickr_test_plus_silent.csv'))
test_evaluator = dict(_delete_=True, type='LocalizationMetric', protocols='all',
                      protocol='fixed')
