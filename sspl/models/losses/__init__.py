from .fnac_loss import FNACLoss
from .max_mil_infonce import MaxMILInfoNCELoss
from .simsiam_loss import SimSiamLoss
from .slavc_loss import SLAVCLoss

__all__ = ['FNACLoss', 'MaxMILInfoNCELoss', 'SimSiamLoss', 'SLAVCLoss']
