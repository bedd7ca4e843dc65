"""The ``pointing`` protocol: does the map's maximum fall inside the box?

The pointing game (Zhang et al., ECCV 2016), as sspl defines it for sound
source localisation (no published evaluator of the field pins it):

- the raw map is upsampled to the ground truth like the ``median`` protocol
  (bilinear, align_corners=True: grid node k of an h-wide map lands on pixel
  k * (W - 1) / (h - 1)); no normalisation (it does not move the maximum); no
  tolerance margin around the box;
- the peak is every pixel equal to the map's maximum (float32). Ties are
  shared: a sample scores the fraction of its peak pixels that hit, i.e. the
  expected hit when the tie is broken uniformly at random. A unique peak
  scores 0 or 1; a flat map scores the fraction of the frame inside the box
  (chance), never a hit for free from a fixed tie-break (``argmax`` would
  always pick the top-left pixel);
- ``hit``: the peak pixel is inside a box, ``gt > 0``. On SoundNet-Flickr's
  consensus maps (0, 0.5, 1) a pixel marked by one annotator counts;
  ``hit_consensus`` weighs the hit by the gt value instead (0.5 where one
  annotator marked it, 1 where two or more agree), the weighting the cIoU uses.
  On binary gt the two are equal.

Over the dataset: ``pointing_game`` and ``pointing_game_consensus``, the
means over the samples.
"""
from typing import Dict, Sequence

import numpy as np


def pointing_sample(pred_map: np.ndarray, gt_map: np.ndarray) -> Dict[str, float]:
    """``hit`` and ``hit_consensus`` of one sample from its upsampled float32
    map ``(H, W)``."""
    peak = pred_map == pred_map.max()
    peak_gt = np.asarray(gt_map, dtype=np.float64)[peak]
    return dict(hit=float(np.mean(peak_gt > 0)), hit_consensus=float(np.mean(peak_gt)))


def summarize_pointing(hit: Sequence[float], hit_consensus: Sequence[float]) -> Dict[str, float]:
    if len(hit) == 0:
        raise ValueError('pointing protocol: no samples')
    return dict(pointing_game=float(np.mean(hit)),
                pointing_game_consensus=float(np.mean(hit_consensus)))
