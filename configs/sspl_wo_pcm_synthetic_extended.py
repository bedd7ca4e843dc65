# SSPL w/o PCM on the synthetic set (sspl_wo_pcm_synthetic.py), tested on its
# extended split under every protocol (see sspl_w_pcm_synthetic_extended.py).
_base_ = ['./sspl_w_pcm_synthetic_extended.py']

model = dict(neck=None)
