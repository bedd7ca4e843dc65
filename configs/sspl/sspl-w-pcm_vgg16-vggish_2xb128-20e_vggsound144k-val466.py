# sspl-w-pcm_vgg16-vggish_2xb128-20e_vggsound144k.py with honest model
# selection: the published recipe validates (and keeps its best checkpoint) on the VGG-SS
# test set itself; here the checkpoint is selected on the 466 annotated VGG-SS
# clips that SSPL's 4692 test ids leave out (the 5158 records of
# vggss_test_5158.json minus vggss_test_4692.csv), and tested on the 4692.
_base_ = ['./sspl-w-pcm_vgg16-vggish_2xb128-20e_vggsound144k.py']

val_dataloader = dict(dataset=dict(id_file=None, exclude_id_file='vggss_test_4692.csv'))
