from .simsiam_loss import SimSiamLoss

__all__ = ['SimSiamLoss']
