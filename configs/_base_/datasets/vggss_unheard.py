# VGG-SS open set, unheard classes (EZ-VSL): the training of vggss_heard.py
# (110 heard classes), tested on the VGG-SS clips of the other classes
# (vggss_unheard_test.csv, 2575). Validation stays on the heard test set
# (EZ-VSL's selection): selecting on the unheard classes would let them in.
_base_ = ['./vggss_heard.py']

test_dataloader = dict(dataset=dict(id_file='vggss_unheard_test.csv'))
