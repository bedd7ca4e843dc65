"""The cIoU / AUC functional layer: parity with the published evaluation on the
three annotation formats, the median (top-50%) protocol on maps whose top half
is known, and degenerate inputs."""
import json
import os.path as osp
import warnings

import numpy as np
import pytest

from sspl.evaluation import functional as F

from sspl.testing.metric_parity_cases import BENCHMARKS, TOL, load_expected, load_gt_maps


@pytest.fixture(scope='module')
def cases_dir(parity_dir):
    return osp.join(parity_dir, 'metric_cases')


@pytest.fixture(scope='module')
def expected(cases_dir):
    return load_expected(cases_dir)


@pytest.mark.parametrize('benchmark', BENCHMARKS)
def test_parity_functional(cases_dir, expected, benchmark):
    exp = expected[benchmark]
    maps = np.load(osp.join(cases_dir, f'{benchmark}_heatmaps.npy'))
    gt_maps = load_gt_maps(cases_dir, benchmark, exp['ids'])
    assert maps.shape == (len(exp['ids']), 14, 14)
    cious = []
    for index, sample_id in enumerate(exp['ids']):
        gt_map = gt_maps[sample_id]
        assert gt_map.shape == (224, 224)
        value, inter, union = F.ciou_inter_union(maps[index], gt_map)
        assert value == pytest.approx(exp['ciou_per_sample'][index], abs=TOL), sample_id
        assert inter == pytest.approx(exp['inter'][index], abs=TOL), sample_id
        assert union == pytest.approx(exp['union'][index], abs=TOL), sample_id
        assert F.ciou(maps[index], gt_map) == value
        cious.append(value)
    ciou_at_half, auc = F.ciou_auc(cious)
    assert ciou_at_half == pytest.approx(exp['cIoU'], abs=TOL)
    assert auc == pytest.approx(exp['AUC'], abs=TOL)


def test_flickr_gt_is_consensus_weighted(cases_dir, expected):
    """One annotator's box counts 0.5, two overlapping boxes 1 (published weighting)."""
    values = set()
    for sample_id in expected['flickr']['ids']:
        values |= set(np.unique(F.flickr_gt_map(
            osp.join(cases_dir, 'flickr', 'Annotations', f'{sample_id}.xml'))).tolist())
    assert values == {0.0, 0.5, 1.0}


def test_flickr_xml_scaling_and_parsing(tmp_path):
    xml = tmp_path / 'one.xml'
    xml.write_text('<annotation><filename>x.jpg</filename>'
                   '<object><bbox><label>s</label><xmin>0</xmin><ymin>128</ymin>'
                   '<xmax>128</xmax><ymax>256</ymax></bbox></object>'
                   '<object><bbox><label>s</label><xmin>64</xmin><ymin>128</ymin>'
                   '<xmax>128</xmax><ymax>256</ymax></bbox></object></annotation>')
    gt_map = F.flickr_gt_map(str(xml))
    # int(224 * v / 256): 64 -> 56, 128 -> 112, 256 -> 224
    assert gt_map[112:, :56].tolist() == np.full((112, 56), 0.5).tolist()
    assert gt_map[112:, 56:112].tolist() == np.ones((112, 56)).tolist()
    assert gt_map[:112].sum() == 0 and gt_map[:, 112:].sum() == 0


def test_chaotic_world_scaling():
    gt_map = F.chaotic_world_gt_map([32.0, 18.0, 160.0, 90.0])
    # x * 224 / 320, y * 224 / 180, truncated: 32 -> 22, 160 -> 112; 18 -> 22, 90 -> 112
    rows, cols = np.nonzero(gt_map)
    assert (rows.min(), rows.max() + 1, cols.min(), cols.max() + 1) == (22, 112, 22, 112)
    assert set(np.unique(gt_map)) == {0.0, 1.0}


def test_vggss_gt_clips_negative_and_ors():
    gt_map = F.vggss_gt_map([[-0.1, 0.0, 0.5, 0.5], [0.25, 0.25, 0.75, 0.75]])
    assert set(np.unique(gt_map)) == {0.0, 1.0}
    assert gt_map[0, 0] == 1 and gt_map[150, 150] == 1 and gt_map[200, 10] == 0
    assert gt_map.sum() == 112 * 112 + 112 * 112 - 56 * 56


def test_vggss_real_annotation_file(metadata_dir):
    """The real VGG-SS json (LVS release) parses into non-empty binary maps."""
    with open(osp.join(metadata_dir, 'vggss_test_5158.json')) as handle:
        records = json.load(handle)
    for record in records[:20]:
        gt_map = F.vggss_gt_map(record['bbox'])
        assert gt_map.sum() > 0 and set(np.unique(gt_map)) <= {0.0, 1.0}


# ---- the median (top 50%) protocol -------------------------------------------------------

def test_median_protocol_keeps_the_known_top_half_of_a_permutation():
    rng = np.random.RandomState(0)
    sim_map = rng.permutation(64).reshape(8, 8).astype(np.float32)  # distinct ranks 0..63
    top_half = (sim_map >= 32).astype(np.float64)                    # known: 32 pixels
    mask = F.predicted_mask(sim_map, (8, 8), 'median')
    assert mask.sum() == 32
    np.testing.assert_array_equal(mask, top_half)
    assert F.ciou(sim_map, top_half, 'median') == 1.0
    assert F.ciou(sim_map, 1 - top_half, 'median') == 0.0
    top_quarter = (sim_map >= 48).astype(np.float64)
    value, inter, union = F.ciou_inter_union(sim_map, top_quarter, 'median')
    assert (inter, union) == (16.0, 32.0) and value == 0.5


def test_median_protocol_through_the_bilinear_resize():
    """A 14 x 14 ramp over x, resized to 224: the top half is exactly the right
    half of the columns (each column holds one value, increasing from 112 on)."""
    sim_map = np.tile(np.arange(14, dtype=np.float32), (14, 1))
    mask = F.predicted_mask(sim_map, (224, 224), 'median')
    right = np.zeros((224, 224))
    right[:, 112:] = 1
    np.testing.assert_array_equal(mask, right)
    assert F.ciou(sim_map, right, 'median') == 1.0
    assert F.ciou(sim_map, 1 - right, 'median') == 0.0


def test_median_and_fixed_protocols_differ_on_a_peaked_map():
    sim_map = np.linspace(0, 0.1, 64, dtype=np.float32).reshape(8, 8)
    sim_map[0, 0] = 1.0  # one strong peak: only it passes 0.5 after min-max
    assert F.predicted_mask(sim_map, (8, 8), 0.5).sum() == 1
    assert F.predicted_mask(sim_map, (8, 8), 'median').sum() == 32


# ---- dataset cIoU / AUC ------------------------------------------------------------------

def test_ciou_auc_by_hand():
    ciou_at_half, auc = F.ciou_auc([0.0, 0.5, 1.0])
    # fraction >= t: 1 at t = 0, 2/3 for t in (0, 0.5], 1/3 for t in (0.5, 1]
    by_hand = (1 + 2 / 3) / 2 * 0.05 + 9 * 0.05 * 2 / 3 + (2 / 3 + 1 / 3) / 2 * 0.05 \
        + 9 * 0.05 * 1 / 3
    assert ciou_at_half == pytest.approx(2 / 3, abs=1e-12)
    assert auc == pytest.approx(by_hand, abs=1e-12)
    assert F.ciou_auc([1.0, 1.0]) == (1.0, pytest.approx(1.0))
    with pytest.raises(ValueError, match='empty'):
        F.ciou_auc([])


# ---- degenerate inputs and missing annotations ------------------------------------------

@pytest.mark.parametrize('threshold', [0.5, 'median'])
@pytest.mark.parametrize('value', [0.0, 0.37, -2.0])
def test_constant_map_scores_zero_without_warnings(threshold, value):
    gt_map = np.zeros((224, 224))
    gt_map[50:150, 50:150] = 1
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        value_, inter, union = F.ciou_inter_union(np.full((14, 14), value, np.float32), gt_map,
                                                  threshold)
    assert (value_, inter) == (0.0, 0.0) and union == gt_map.sum()


def test_nan_map_is_an_error():
    sim_map = np.zeros((14, 14), np.float32)
    sim_map[3, 3] = np.nan
    with pytest.raises(ValueError, match='NaN'):
        F.ciou(sim_map, np.ones((224, 224)))


def test_empty_gt_map_is_an_error():
    with pytest.raises(ValueError, match='empty'):
        F.ciou(np.random.rand(14, 14), np.zeros((224, 224)))


def test_missing_or_boxless_flickr_annotation_names_the_file(tmp_path):
    missing = tmp_path / 'missing.xml'
    with pytest.raises(ValueError, match='missing.xml'):
        F.flickr_gt_map(str(missing))
    empty = tmp_path / 'nobox.xml'
    empty.write_text('<annotation><filename>a.jpg</filename></annotation>')
    with pytest.raises(ValueError, match='nobox.xml.*no <bbox>'):
        F.flickr_gt_map(str(empty))
