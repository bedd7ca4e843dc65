"""The losses of EZ-VSL, FNAC and SLAVC against a direct, loop-based reading
of their definitions (the parity tests hold them to the published numbers)."""
import math

import pytest
import torch
import torch.nn.functional as F

from sspl.models.losses import FNACLoss, MaxMILInfoNCELoss, SLAVCLoss

TAU = 0.03


def features(batch=5, channels=8, size=3, seed=0):
    generator = torch.Generator().manual_seed(seed)
    visual = F.normalize(torch.randn(batch, channels, size, size, generator=generator), dim=1)
    audio = F.normalize(torch.randn(batch, channels, generator=generator), dim=1)
    return visual, audio


def max_logits(visual, audio):
    """logits[n][m] = max over positions of <v_n(p), a_m> / tau, by loops."""
    batch = len(visual)
    return torch.tensor([[max(float(visual[n, :, i, j] @ audio[m]) / TAU
                              for i in range(visual.shape[2]) for j in range(visual.shape[3]))
                          for m in range(batch)] for n in range(batch)], dtype=torch.float64)


def cross_entropy_rows(logits):
    return float(torch.stack([-torch.log_softmax(logits[i], 0)[i]
                              for i in range(len(logits))]).mean())


def test_max_mil_infonce_is_both_directions_of_the_max_pooled_logits():
    visual, audio = features()
    logits = max_logits(visual.double(), audio.double())
    expected = cross_entropy_rows(logits) + cross_entropy_rows(logits.t())
    assert float(MaxMILInfoNCELoss(TAU)(visual, audio)) == pytest.approx(expected, rel=1e-5)


def test_fnac_terms_and_warm_up():
    visual, audio = features(seed=1)
    loss = FNACLoss(TAU, warmup_epochs=2)
    logits = max_logits(visual.double(), audio.double())
    a64, v64 = audio.double(), visual.double()

    def l1_of_softmaxes(x, y):
        return float((torch.softmax(x, 1) - torch.softmax(y, 1)).abs().mean())
    audio_similarity = a64 @ a64.t() / TAU
    mean = v64.mean(dim=(2, 3))
    own = torch.stack([torch.einsum('chw,c->hw', v64[n], a64[n]) / TAU for n in range(5)])
    own = (own - own.amin((1, 2), keepdim=True)) / (
        own.amax((1, 2), keepdim=True) - own.amin((1, 2), keepdim=True) + 1e-5)
    foreground = (v64 * (own > 0.6).unsqueeze(1)).mean(dim=(2, 3))
    expected = dict(contrastive=cross_entropy_rows(logits) + cross_entropy_rows(logits.t()),
                    fns_audio=l1_of_softmaxes(audio_similarity, logits),
                    tns=l1_of_softmaxes(audio_similarity, foreground @ foreground.t() / TAU),
                    fns_image=l1_of_softmaxes(mean @ mean.t() / TAU, logits))
    for epoch, weighted in ((0, False), (1, False), (2, True), (7, True)):
        terms = loss(visual, audio, epoch=epoch)
        for name, value in expected.items():
            assert float(terms[name]) == pytest.approx(value, rel=1e-4, abs=1e-7), name
        total = expected['contrastive'] + (100 * (expected['fns_audio'] + expected['tns'] +
                                                  expected['fns_image']) if weighted else 0)
        assert float(terms['loss']) == pytest.approx(total, rel=1e-5), epoch


def test_slavc_loss_is_which_times_where():
    generator = torch.Generator().manual_seed(2)
    maps = [F.normalize(torch.randn(4, 8, 3, 3, generator=generator), dim=1) for _ in range(4)]
    audio = [F.normalize(torch.randn(4, 8, generator=generator), dim=1) for _ in range(4)]

    def log_p(v1, v2, a1, a2, n, m):
        which = [math.exp(float(v1[n, :, i, j] @ a1[m]) / TAU) /
                 sum(math.exp(float(v1[n, :, i, j] @ a1[k]) / TAU) for k in range(4))
                 for i in range(3) for j in range(3)]
        where = [math.exp(float(v2[n, :, i, j] @ a2[m]) / TAU) for i in range(3) for j in range(3)]
        return math.log(sum(w * x / sum(where) for w, x in zip(which, where)))
    out = SLAVCLoss(TAU)((maps[0], maps[1]), (audio[0], audio[1]), (maps[2], maps[3]),
                         (audio[2], audio[3]))
    i2a = torch.tensor([[log_p(maps[0], maps[1], audio[2], audio[3], n, m) for m in range(4)]
                        for n in range(4)])
    a2i = torch.tensor([[log_p(maps[2], maps[3], audio[0], audio[1], n, m) for m in range(4)]
                        for n in range(4)])
    torch.testing.assert_close(out['i2a'], i2a.float(), rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(out['a2i'], a2i.float(), rtol=1e-4, atol=1e-5)
    expected = cross_entropy_rows(a2i) + cross_entropy_rows(i2a)
    assert float(out['loss']) == pytest.approx(expected, rel=1e-4)
