_base_ = ['./sspl_w_pcm.py']

# SSPL w/o PCM: the similarity map is computed on the VGG16 map directly.
model = dict(neck=None)
