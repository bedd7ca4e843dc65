"""Box annotations as ground truth: the SoundNet-Flickr XML boxes and the
rasterisation of boxes into ``(H, W)`` ground-truth maps.

The bottom layer: both the datasets (``PackAVInputs`` writes ``gt_map``,
:mod:`sspl.datasets.annotations` reads the XMLs) and the evaluation
(:mod:`sspl.evaluation.functional`, which re-exports both functions, builds the
published ground-truth maps) use them, and neither imports the other.
"""
import xml.etree.ElementTree as ET
from typing import Tuple, Union

import numpy as np


def boxes_to_gt_map(boxes, size: Union[int, Tuple[int, int]] = 224, mode: str = 'union'
                    ) -> np.ndarray:
    """Rasterise ``(N, 4)`` ``x0, y0, x1, y1`` pixel boxes into an ``(H, W)`` map.

    Coordinates are truncated to int after clipping at 0 (the published
    ``int(...)`` rounding). ``mode='union'`` ORs the boxes (VGG-SS, Chaotic
    World); ``mode='consensus'`` sums them, divides by 2 and clips at 1
    (SoundNet-Flickr's annotator consensus).
    """
    height, width = (size, size) if isinstance(size, int) else size
    gt_map = np.zeros((height, width), dtype=np.float64)
    for box in np.asarray(boxes, dtype=np.float64).reshape(-1, 4):
        x0, y0, x1, y1 = (int(max(v, 0)) for v in box)
        box_mask = np.zeros((height, width), dtype=np.float64)
        box_mask[y0:y1, x0:x1] = 1
        gt_map += box_mask
    if mode == 'consensus':
        gt_map /= 2
        gt_map[gt_map > 1] = 1
    elif mode == 'union':
        gt_map[gt_map > 0] = 1
    else:
        raise ValueError(f"boxes_to_gt_map: mode must be 'union' or 'consensus', got {mode!r}")
    return gt_map


def parse_flickr_xml(xml_path: str) -> np.ndarray:
    """Boxes of a SoundNet-Flickr annotation: one per top-level element holding
    a ``<bbox>``; inside it the first child is skipped and the next four are
    ``xmin, ymin, xmax, ymax`` in pixels of a 256 x 256 frame. ``(N, 4)`` int."""
    try:
        root = ET.parse(xml_path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise ValueError(f'{xml_path}: cannot read the annotation ({exc})') from exc
    boxes = []
    for child in root:
        for element in child:
            if element.tag != 'bbox':
                continue
            values = [int(item.text) for index, item in enumerate(element) if index > 0]
            if len(values) < 4:
                raise ValueError(f'{xml_path}: a <bbox> has {len(values)} coordinates, expected 4')
            boxes.append(values[:4])
    return np.asarray(boxes, dtype=np.int64).reshape(-1, 4)
