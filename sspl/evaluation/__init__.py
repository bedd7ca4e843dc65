from .functional import (boxes_to_gt_map, center_prior_map, chaotic_world_gt_map, ciou, ciou_auc,
                         ciou_inter_union, flickr_gt_map, protocol_scores, vggss_gt_map)
from .metrics import *  # noqa: F401,F403

__all__ = ['boxes_to_gt_map', 'center_prior_map', 'chaotic_world_gt_map', 'ciou', 'ciou_auc',
           'ciou_inter_union', 'flickr_gt_map', 'protocol_scores', 'vggss_gt_map']
