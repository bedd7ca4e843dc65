"""Several augmented views of one sample."""
from typing import Dict, List

from mmengine.dataset import Compose

from sspl.registry import TRANSFORMS
from ..sample_randomness import KEY, RNG, sub_sample


@TRANSFORMS.register_module()
class MultiView:
    """Apply ``transforms`` ``num_views`` times and keep the views as lists:
    ``results['img']`` becomes ``[view1, view2, ...]`` and ``results['gt_bboxes']``
    likewise (one box array per view).

    If ``results['img']`` is already a list (several frames of a clip), view
    ``i`` is made from frame ``i``; otherwise every view starts from the same
    frame (the published two-crops-of-one-frame setting).

    View ``i`` draws its randomness from its own key, the sample's key extended
    by ``('view', i)`` (:func:`~sspl.datasets.sample_randomness.sub_sample`):
    a function of ``(seed, epoch, index, i)``, whatever the other views draw.

    Args:
        transforms: the per-view pipeline (e.g. resize, random crop, flip).
        num_views: number of views (2 for SimSiam training).
    """

    def __init__(self, transforms: List[Dict], num_views: int = 2):
        self.pipeline = Compose(transforms)
        self.num_views = num_views

    def __call__(self, results: dict) -> dict:
        images, boxes = results['img'], results.get('gt_bboxes')
        per_frame = isinstance(images, list)
        views = []
        for index in range(self.num_views):
            view = sub_sample(results, 'view', index)
            if per_frame:
                view['img'] = images[index % len(images)]
                if boxes is not None:
                    view['gt_bboxes'] = boxes[index % len(boxes)]
            views.append(self.pipeline(view))
        out = views[0]
        for entry in (KEY, RNG):  # later transforms continue the sample's own stream
            if entry in results:
                out[entry] = results[entry]
            else:
                out.pop(entry, None)
        out['img'] = [view['img'] for view in views]
        if boxes is not None:
            out['gt_bboxes'] = [view['gt_bboxes'] for view in views]
        return out

    def __repr__(self):
        return f'{self.__class__.__name__}(num_views={self.num_views}, pipeline={self.pipeline})'
