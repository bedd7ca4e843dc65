from . import safe_checkpoint_loader  # noqa: F401  (registers the safe local loader)
from .hooks import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
