from .model import init_localizer  # noqa: F401
from .inference import inference_localizer  # noqa: F401
