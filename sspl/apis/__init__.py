from .inference import inference_localizer  # noqa: F401
