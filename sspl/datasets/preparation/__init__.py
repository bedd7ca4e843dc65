"""Turning downloaded videos into prepared datasets (frame + wav per sample):
PyAV decoding and windowing (:mod:`.clip_io`), the parallel job runner with
its report (:mod:`.prep_runner`) and the middle-frame preparation shared by
SoundNet-Flickr and VGG-Sound (:mod:`.middle_frame`). The command lines are
``tools/data/prepare_*.py``; PyAV (``av``) is imported only where a video is
read."""
