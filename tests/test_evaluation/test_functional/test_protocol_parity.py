"""protocol_scores against the published evaluators, within the parity READMEs'
tolerances: SSPL (``metric_cases``), EZ-VSL / FNAC / SLAVC
(``vsl/metric_cases``: test.py av / obj / av+obj, train.py validation, FNAC
validate / validate2, SLAVC relative and absolute), SSLalignment and vssl_eval
(``metrics_extra``)."""
import pytest

from sspl.testing import protocol_parity_cases as P


def assert_within(checks, prefix):
    selected = [c for c in checks if c.where.startswith(prefix)]
    assert selected, f'no parity value under {prefix}'
    bad = [(c.where, c.error(), c.tol) for c in selected if not c.error() <= c.tol]
    assert not bad, f'{len(bad)} of {len(selected)} values beyond tolerance: {bad[:5]}'
    return selected


@pytest.fixture(scope='module')
def sspl_checks(parity_dir):
    return P.sspl_checks(parity_dir)


@pytest.fixture(scope='module')
def vsl_checks(parity_dir):
    return P.vsl_checks(parity_dir)


@pytest.fixture(scope='module')
def extra_checks(parity_dir):
    return P.extra_checks(parity_dir)


@pytest.mark.parametrize('benchmark', P.SSPL_BENCHMARKS)
def test_fixed_protocol_is_sspl(sspl_checks, benchmark):
    selected = assert_within(sspl_checks, f'{benchmark}.')
    assert {c.where.split('.')[-1] for c in selected} >= {'ciou_per_sample', 'inter', 'union',
                                                         'cIoU', 'AUC'}


@pytest.mark.parametrize('dataset', ['flickr', 'vggss'])
@pytest.mark.parametrize('case', [path for path, _, _ in P.MEDIAN_CASES])
def test_median_protocol_is_ezvsl_and_fnac(vsl_checks, case, dataset):
    selected = assert_within(vsl_checks, case.format(ds=dataset) + '.')
    assert len([c for c in selected if c.where.endswith('ciou_per_sample')]) == 1


@pytest.mark.parametrize('dataset', ['flickr', 'vggss'])
@pytest.mark.parametrize('case', [path for path, _, _ in P.EXTENDED_CASES])
def test_extended_protocol_is_slavc(vsl_checks, case, dataset):
    selected = assert_within(vsl_checks, case.format(ds=dataset) + '.')
    keys = {c.where[len(case.format(ds=dataset)) + 1:] for c in selected}
    assert {'AP', 'max_F1', 'F1_at_default_conf', 'LocAcc', 'AUC', 'conf_per_negative',
            'finalize_stats.F1-all@50', 'finalize_stats.AP-huge@75'} <= keys


def test_adaptive_protocol_is_sslalignment(extra_checks):
    selected = assert_within(extra_checks, 'positive.')
    assert_within(extra_checks, 'group')
    assert len(selected) > 40  # per-sample lists, dataset figures and every IIoU group


@pytest.mark.parametrize('kind', P.NEGATIVE_KINDS)
def test_negative_audio_protocol_is_vssl_eval(extra_checks, kind):
    selected = assert_within(extra_checks, f'negative_audio.{kind}.')
    assert len(selected) == 3 * len(P.VARIANTS)
    assert_within(extra_checks, 'negative_audio.positive_thresholds.')
    assert_within(extra_checks, 'negative_audio.compute_metrics.')


def test_worst_error_table_runs(parity_dir, capsys):
    assert P.main([parity_dir]) == 0
    out = capsys.readouterr().out
    for protocol in ('fixed', 'median', 'extended', 'adaptive', 'negative_audio'):
        assert f' {protocol} ' in out
