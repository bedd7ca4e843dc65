"""protocol_scores on inputs whose answer is known by hand: the traps the parity
READMEs name (strict > vs >=, flat maps, the full-frame box, float64
thresholds 0.05 * i, float32 comparisons, F1 strings), the pointing game's
ties and consensus, the upsampling modes, and bad input."""
import numpy as np
import pytest
import torch

from sspl.evaluation import functional as F
from sspl.evaluation.functional import extended as E

H = W = 224


def box_gt(y0, y1, x0, x1, value=1.0, size=(H, W)):
    gt = np.zeros(size)
    gt[y0:y1, x0:x1] = value
    return gt


def ramp(size=7):
    """A (size, size) map increasing along x with distinct rows (no ties)."""
    return (np.arange(size)[None, :] * size + np.arange(size)[:, None] * 0.01).astype(np.float32)


# ---- strictness, flat maps and the full-frame box --------------------------------------------

def test_full_frame_box_under_strict_and_adaptive_thresholds():
    rng = np.random.RandomState(0)
    maps = rng.rand(1, 7, 7).astype(np.float32)
    full = np.ones((1, H, W))
    adaptive = F.protocol_scores(maps, full, 'adaptive')
    # strictly above the value of index 25088: 25087 pixels, not half the frame
    assert adaptive['ciou'][0] == 25087 / 50176 and adaptive['cIoU'] == 0.0
    # adaptive: the threshold is the minimum, every pixel but the minimum
    assert adaptive['ciou_adap'][0] == 50175 / 50176 and adaptive['cIoU_adap'] == 1.0
    median = F.protocol_scores(maps, full, 'median')  # EZ-VSL's >=: exactly half
    assert median['ciou'][0] == 25088 / 50176 and median['cIoU'] == 1.0
    lvs = F.protocol_scores(maps, full, 'median', strict=True)
    assert lvs['ciou'][0] == 25087 / 50176 and lvs['cIoU'] == 0.0


def test_flat_map_predicts_everything_with_ge_and_nothing_with_gt():
    flat = np.full((1, 7, 7), 3.0, np.float32)
    gt = box_gt(0, 112, 0, 224)[None]
    assert F.protocol_scores(flat, gt, 'median')['ciou'][0] == 0.5   # all pixels predicted
    assert F.protocol_scores(flat, gt, 'median', strict=True)['ciou'][0] == 0.0
    assert F.protocol_scores(flat, gt, 'adaptive')['ciou'][0] == 0.0
    assert F.protocol_scores(flat, gt, 'fixed')['ciou'][0] == 0.0    # SSPL: empty mask
    # SLAVC: absolute scores all 0.5 >= 0.5: everything; relative: min-max leaves it flat
    extended = F.protocol_scores(np.zeros((1, 7, 7), np.float32), gt, 'extended',
                                 score_range=(-1, 1), relative_prediction=False)
    assert extended['ciou'][0] == 0.5 and extended['conf'][0] == 0.5


def test_flat_half_map_has_no_area_above_half():
    """vssl_eval's silence[0]: flat at exactly 0.5 -> pIA 0 at 0.5 (strict >)."""
    out = F.protocol_scores(np.full((1, 7, 7), 0.5, np.float32), box_gt(10, 50, 10, 50)[None],
                            'negative_audio', positive_maps=ramp()[None] / 50.0)
    assert out['pia_thr05'] == [0.0] and out['AOC_thr05'] == pytest.approx(1.0)


def test_pia_compares_in_float32():
    """A map at float32(0.545) (vssl_eval's slavc maxq3), the threshold the
    Python float 0.545: equal in float32 (no pixel counts), above it in float64
    (every pixel would)."""
    value = np.float32(0.545)
    assert float(value) > 0.545  # the float64 comparison would say "above"
    out = F.protocol_scores(np.full((1, 7, 7), value), box_gt(10, 50, 10, 50)[None],
                            'negative_audio', positive_maps=ramp()[None] / 50.0,
                            thresholds={'max': 0.545})
    assert out['pia_max'] == [0.0]


# ---- AUC grid --------------------------------------------------------------------------------

def test_auc_thresholds_are_float64_products():
    """A cIoU of exactly 0.15 misses t_3 = 0.05 * 3 = 0.15000000000000002."""
    assert 0.05 * 3 > 0.15
    _, auc = F.ciou_auc([0.15])
    assert auc == pytest.approx(0.05 * 2 + 0.05 / 2, abs=1e-12)  # success at t_0..t_2 only
    summary = F.summarize_samples('adaptive', dict(ciou=[0.15], ciou_adap=[0.15]))
    assert summary['AUC'] == pytest.approx(0.125, abs=1e-12)
    assert summary['IAUC'] == pytest.approx(0.125, abs=1e-12)


def test_aoc_counts_pia_at_most_x():
    # pIA 0.05 exactly is <= x_1 = 0.05 (0.05 * 1 == 0.05): the fraction is 0 at
    # x_0 and 1 from x_1 on, area 1 - 0.05 / 2 (a strict < would give 0.95)
    assert F.negative_audio.aoc([0.05]) == pytest.approx(1 - 0.05 / 2, abs=1e-12)
    assert F.negative_audio.aoc([0.0]) == pytest.approx(1.0)
    assert F.negative_audio.aoc([1.0]) == pytest.approx(0.05 / 2)  # 1.0 <= x_20 = 1.0


# ---- IIoU groups -----------------------------------------------------------------------------

def test_iiou_groups_need_every_member_and_count_once():
    assert F.iiou_group('male_car_7388_male') == 'male_car_7388'
    assert F.iiou_group('frames/male_car_7388_car.jpg') == 'male_car_7388'
    assert F.iiou_group('1045236223') == ''  # Flickr ids: one group for all
    ids = ['a_1_x', 'a_1_y', 'b_2_x', 'c_3_x', 'c_3_y', 'c_3_z']
    ciou = [0.6, 0.4, 0.9, 0.5, 0.7, 0.55]
    summary = F.summarize_samples('adaptive', dict(ciou=ciou, ciou_adap=ciou), ids=ids)
    # groups a (fails: 0.4), b (ok), c (ok): 2 of 3, whatever the group sizes
    assert summary['IIoU'] == pytest.approx(2 / 3)
    assert summary['cIoU'] == pytest.approx(5 / 6)
    # without ids each sample is its own group
    assert F.summarize_samples('adaptive', dict(ciou=ciou, ciou_adap=ciou))['IIoU'] \
        == pytest.approx(5 / 6)


# ---- SLAVC's counting ------------------------------------------------------------------------

def test_extended_counting_by_hand():
    # positives (ciou, conf): a hit above the default conf, a miss above it, a hit below
    ciou, conf = [0.8, 0.2, 0.9], [0.9, 0.7, 0.3]
    negatives = [0.8, 0.1]
    fig = F.summarize_samples('extended', dict(ciou=ciou, conf=conf, conf_negative=negatives))
    # conf >= 0.5: TP 1 (0.9), FP 2 (0.7 miss, negative 0.8), FN 1 (0.3)
    p, r = 1 / 3, 1 / 2
    assert fig['F1_at_default_conf'] == pytest.approx(2 * p * r / (p + r))
    assert fig['LocAcc'] == pytest.approx(2 / 3)           # positives with cIoU >= 0.5
    assert fig['LocAcc@75'] == pytest.approx(2 / 3)
    assert fig['precision_at_50_strict'] == pytest.approx(2 / 3)
    # AP: thresholds 0.8, 0.7, 0.3, 0.1 (the largest dropped), descending
    # precision 1/2, 1/3, 2/4, 2/5; recall 1/3, 1/2, 1, 1 -> p_max 1/2, 1/2, 1/2, 2/5
    assert fig['AP'] == pytest.approx(0.5 * (1 / 2 - 1 / 3) + 0.5 * (1 - 1 / 2) + 0.5 * 0)
    # precision is 1 when nothing is detected (SLAVC's convention)
    assert E.precision_recall([1, 0], [0.9, 0.0], [0.1, 0.2], 0.5) == (1.0, 0.0)


def test_extended_strict_and_nonstrict_at_half():
    fig = F.summarize_samples('extended', dict(ciou=[0.5, 0.6], conf=[0.9, 0.8]))
    assert fig['LocAcc'] == 1.0 and fig['precision_at_50_strict'] == 0.5


def test_finalize_stats_f1_strings_and_empty_subsets():
    stats = E.finalize_stats([0.8, 0.2], [0.9, 0.7], [0.8], gt_area=[50.0, 30000.0])
    assert isinstance(stats['F1-all@50'], str)
    assert all(len(v.split('.')[-1]) == 1 for v in stats['F1-all@50'].split())  # one decimal
    assert np.isnan(stats['AP-medium@50']) and np.isnan(stats['F1-medium@50'])
    assert stats['Precision-small@50'] == 1.0 and stats['Precision-huge@50'] == 0.0


def test_extended_confidence_is_the_top_quarter_mean_or_the_methods_own():
    gt = box_gt(0, 112, 0, 224)[None]
    raw = np.zeros((1, 7, 7), np.float32)
    raw[0, :2] = 1.0  # top rows high
    out = F.protocol_scores(raw, gt, 'extended', score_range=(-1, 1), upsample='bilinear')
    scores = F.upsample_maps((raw + 1) / 2, (H, W), 'bilinear', True)[0]
    assert out['conf'][0] == pytest.approx(float(np.sort(scores.ravel())[-50176 // 4:].mean()))
    own = F.protocol_scores(raw, gt, 'extended', score_range=(-1, 1), upsample='bilinear',
                            confidences=[0.123])
    assert own['conf'] == [0.123] and own['ciou'] == out['ciou']


# ---- pointing game ---------------------------------------------------------------------------

def test_pointing_unique_peak_hit_and_miss():
    raw = np.zeros((2, 7, 7), np.float32)
    raw[0, 3, 3] = 1.0     # node (3, 3) lands on pixel 3 * 223 / 6 = 111.5 -> the peak
    raw[1, 0, 6] = 1.0     # node (0, 6): pixel (0, 223), top right
    gt = np.stack([box_gt(100, 124, 100, 124), box_gt(100, 124, 100, 124)])
    out = F.protocol_scores(raw, gt, 'pointing')
    assert out['hit'] == [1.0, 0.0] and out['pointing_game'] == 0.5


def test_pointing_ties_share_the_hit_and_a_flat_map_scores_chance():
    gt = box_gt(0, 56, 0, 224)[None]  # the top quarter
    flat = F.protocol_scores(np.ones((1, 7, 7), np.float32), gt, 'pointing')
    assert flat['hit'][0] == pytest.approx(0.25)  # chance, not a free hit at argmax (0, 0)
    two_peaks = np.zeros((1, 7, 7), np.float32)
    two_peaks[0, 0, 0] = two_peaks[0, 6, 6] = 1.0  # corners: pixels (0, 0) and (223, 223)
    assert F.protocol_scores(two_peaks, gt, 'pointing')['hit'][0] == 0.5


def test_pointing_on_flickr_consensus():
    """One annotator's box (0.5): a hit; its consensus credit is 0.5."""
    raw = np.zeros((1, 7, 7), np.float32)
    raw[0, 0, 0] = 1.0
    gt = box_gt(0, 20, 0, 20, value=0.5)
    gt[100:120, 100:120] = 1.0
    out = F.protocol_scores(raw, gt[None], 'pointing')
    assert out['hit'] == [1.0] and out['hit_consensus'] == [0.5]
    assert out['pointing_game'] == 1.0 and out['pointing_game_consensus'] == 0.5


def test_pointing_upsampling_is_selectable():
    raw = np.zeros((1, 2, 2), np.float32)
    raw[0, 0, 0] = 1.0
    gt = box_gt(0, 1, 0, 1)[None]  # only the top-left pixel
    # align_corners=True puts node (0, 0) on pixel (0, 0); OpenCV's half-pixel
    # resize makes a plateau over the top-left quarter minus the borders
    assert F.protocol_scores(raw, gt, 'pointing')['hit'] == [1.0]
    half_pixel = F.protocol_scores(raw, gt, 'pointing', upsample='cv2_linear',
                                   align_corners=None)['hit'][0]
    assert 0 < half_pixel < 0.01


# ---- upsampling, the fixed protocol's routing, options ---------------------------------------

def test_upsample_modes_are_the_torch_and_opencv_calls():
    rng = np.random.RandomState(1)
    maps = rng.randn(3, 7, 7).astype(np.float32)
    for mode, align in (('bilinear', True), ('bicubic', True), ('bicubic', False)):
        expected = torch.nn.functional.interpolate(torch.from_numpy(maps)[:, None], (H, W),
                                                   mode=mode, align_corners=align)[:, 0]
        np.testing.assert_array_equal(F.upsample_maps(maps, (H, W), mode, align),
                                      expected.numpy())
    import cv2
    np.testing.assert_array_equal(F.upsample_maps(maps, (H, W), 'cv2_linear', None)[1],
                                  cv2.resize(maps[1], (W, H), interpolation=cv2.INTER_LINEAR))
    with pytest.raises(ValueError, match='align_corners'):
        F.upsample_maps(maps, (H, W), 'cv2_linear', True)
    with pytest.raises(ValueError, match='upsample'):
        F.upsample_maps(maps, (H, W), 'nearest', True)


def test_fixed_protocol_routes_through_ciou():
    rng = np.random.RandomState(2)
    maps = rng.rand(5, 14, 14).astype(np.float32)
    gts = np.stack([box_gt(20 * i, 20 * i + 90, 30, 150) for i in range(5)])
    out = F.protocol_scores(maps, gts, 'fixed')
    assert out['ciou'] == [F.ciou(maps[i], gts[i]) for i in range(5)]
    assert (out['cIoU'], out['AUC']) == F.ciou_auc(out['ciou'])
    assert out['mean_cIoU'] == pytest.approx(np.mean(out['ciou']))
    other = F.protocol_scores(maps, gts, 'fixed', threshold=0.7)
    assert other['ciou'] == [F.ciou(maps[i], gts[i], 0.7) for i in range(5)]
    # another upsampling: resized first, then the same code
    bilinear = F.protocol_scores(maps, gts, 'fixed', upsample='bilinear', align_corners=True)
    resized = F.upsample_maps(maps, (H, W), 'bilinear', True)
    assert bilinear['ciou'] == [F.ciou(resized[i], gts[i]) for i in range(5)]
    assert bilinear['ciou'] != out['ciou']


def test_every_figure_is_a_fraction():
    rng = np.random.RandomState(3)
    maps = rng.randn(6, 7, 7).astype(np.float32) * 10
    gts = np.stack([box_gt(10 * i, 10 * i + 100, 40, 200) for i in range(6)])
    outputs = [F.protocol_scores(maps, gts, p) for p in ('fixed', 'median', 'pointing')]
    outputs.append(F.protocol_scores(maps, gts, 'adaptive', ids=[f'x_{i}' for i in range(6)]))
    outputs.append(F.protocol_scores(maps, gts, 'extended', score_range=(-33.4, 33.4),
                                     negative_maps=maps[:3]))
    outputs.append(F.protocol_scores(maps / 70 + 0.5, gts, 'negative_audio',
                                     positive_maps=maps[::-1] / 70 + 0.5))
    for out in outputs:
        for key, value in out.items():
            if isinstance(value, float):
                assert 0.0 <= value <= 1.0, key


def test_unknown_protocol_and_option_are_errors_naming_them():
    maps, gts = np.zeros((1, 7, 7), np.float32), box_gt(0, 10, 0, 10)[None]
    with pytest.raises(ValueError, match="unknown protocol 'top50'"):
        F.protocol_scores(maps, gts, 'top50')
    with pytest.raises(TypeError, match=r"'median' has no option\(s\) \['treshold'\]"):
        F.protocol_scores(maps, gts, 'median', treshold=0.5)
    with pytest.raises(ValueError, match='positive_maps='):
        F.protocol_scores(maps, gts, 'negative_audio')


def test_bad_maps_and_empty_boxes_are_errors_naming_the_sample():
    maps = np.zeros((3, 7, 7), np.float32)
    maps[1, 2, 2] = np.nan
    gts = np.stack([box_gt(0, 10, 0, 10)] * 3)
    with pytest.raises(ValueError, match=r'maps \[1\] hold NaN'):
        F.protocol_scores(maps, gts, 'median')
    gts[2] = 0
    with pytest.raises(ValueError, match=r'ground-truth maps \[2\] are empty'):
        F.protocol_scores(np.zeros((3, 7, 7), np.float32), gts, 'pointing')
    with pytest.raises(ValueError, match='expected 3'):
        F.protocol_scores(np.zeros((3, 7, 7), np.float32), gts[:2], 'median')


def test_protocol_scores_is_score_then_summarize():
    rng = np.random.RandomState(4)
    maps = rng.randn(8, 7, 7).astype(np.float32)
    gts = np.stack([box_gt(5 * i, 5 * i + 120, 20, 180) for i in range(8)])
    ids = [f'img_{i // 2}_{i}' for i in range(8)]
    whole = F.protocol_scores(maps, gts, 'adaptive', ids=ids)
    halves = [F.score_samples('adaptive', maps[s], gts[s]) for s in (slice(0, 3), slice(3, 8))]
    joined = {key: halves[0][key] + halves[1][key] for key in halves[0]}
    assert joined['ciou'] == whole['ciou']
    figures = F.summarize_samples('adaptive', joined, ids=ids)
    assert all(figures[key] == whole[key] for key in figures)
