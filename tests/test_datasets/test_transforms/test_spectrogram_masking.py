"""FNAC's FrequencyMask / TimeMask: zero bands of 0-9 rows / columns, their
start drawn as published (the frequency band's from the time length, the
time span's from the frequency length)."""
import numpy as np
import pytest

from sspl.datasets.sample_randomness import sample_rng
from sspl.datasets.transforms import FrequencyMask, TimeMask


def spectrogram(frequencies=257, frames=20):
    return np.arange(1, frequencies * frames + 1, dtype=np.float32).reshape(1, frequencies, frames)


@pytest.mark.parametrize('seed', range(20))
def test_masks_zero_one_band_as_published(seed):
    source = spectrogram()
    key = (seed, 2, 5)  # (seed, epoch, sample index)
    out = TimeMask()(FrequencyMask()(dict(spectrogram=source, sample_key=key)))['spectrogram']
    # the published draws, replayed from the sample's generator
    rng = sample_rng(dict(sample_key=key))
    f_start = int(rng.integers(0, 20))            # from T = 20, not from 257
    f_end = f_start + int(rng.integers(0, 10))
    t_start = int(rng.integers(0, 257))           # from F = 257, not from 20
    t_end = t_start + int(rng.integers(0, 10))
    expected = source.copy()
    expected[:, f_start:f_end, :] = 0
    expected[:, :, t_start:t_end] = 0
    np.testing.assert_array_equal(out, expected)
    assert source.min() > 0  # the input is not modified in place


def test_frequency_mask_never_reaches_rows_past_the_time_length():
    masked = np.zeros(257, bool)
    for index in range(500):
        out = FrequencyMask()(dict(spectrogram=spectrogram(),
                                   sample_key=(0, 0, index)))['spectrogram']
        masked |= (out[0] == 0).all(axis=1)
    assert masked[:20].any() and not masked[29:].any()


def test_mask_without_spectrogram_is_an_error():
    with pytest.raises(ValueError, match='LogSpectrogram'):
        TimeMask()(dict(waveform=np.zeros(100)))


def test_masks_are_a_function_of_the_sample_key():
    def masked(key):
        return TimeMask()(FrequencyMask()(dict(spectrogram=spectrogram(),
                                               sample_key=key)))['spectrogram']
    np.testing.assert_array_equal(masked((1, 3, 7)), masked((1, 3, 7)))
    assert any(not np.array_equal(masked((1, 3, 7)), masked((1, epoch, 7)))
               for epoch in range(4, 12))
