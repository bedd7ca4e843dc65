# SSPL w/o PCM on the built-in synthetic dataset (see sspl_w_pcm_synthetic.py).
_base_ = ['./sspl_w_pcm_synthetic.py']

model = dict(neck=None)
