"""Audio signal processing shared by the data transforms (per sample, in the
data workers) and the audio front ends of the data preprocessors (batched, on
the model's device). Plain torch / numpy: no registry, no model, no dataset."""
from .log_spectrogram import log_spectrogram
from .vggish_log_mel import waveform_to_log_mel_examples

__all__ = ['log_spectrogram', 'waveform_to_log_mel_examples']
