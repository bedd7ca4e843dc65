"""Several augmented views of one sample."""
import copy
from typing import Dict, List

from mmengine.dataset import Compose

from sspl.registry import TRANSFORMS


@TRANSFORMS.register_module()
class MultiView:
    """Apply ``transforms`` ``num_views`` times to copies of the sample and keep
    the views as lists: ``results['img']`` becomes ``[view1, view2, ...]`` and
    ``results['gt_bboxes']`` likewise (one box array per view).

    Args:
        transforms: the per-view pipeline (e.g. resize, random crop, flip).
        num_views: number of views (2 for SimSiam training).
    """

    def __init__(self, transforms: List[Dict], num_views: int = 2):
        self.pipeline = Compose(transforms)
        self.num_views = num_views

    def __call__(self, results: dict) -> dict:
        views = [self.pipeline(copy.deepcopy(results)) for _ in range(self.num_views)]
        out = views[0]
        out['img'] = [view['img'] for view in views]
        if results.get('gt_bboxes') is not None:
            out['gt_bboxes'] = [view['gt_bboxes'] for view in views]
        return out

    def __repr__(self):
        return f'{self.__class__.__name__}(num_views={self.num_views}, pipeline={self.pipeline})'
