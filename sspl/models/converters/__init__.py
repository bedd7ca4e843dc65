"""Conversion of published checkpoints into sspl state dicts (the logic of
``tools/model_converters/*``)."""
from .ezvsl_family import (METHODS, PUBLISHED_FILE_GLOBALS, convert_key,
                           convert_published_checkpoint, load_published_checkpoint)

__all__ = ['METHODS', 'PUBLISHED_FILE_GLOBALS', 'convert_key', 'convert_published_checkpoint',
           'load_published_checkpoint']
