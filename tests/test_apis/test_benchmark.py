"""sspl.apis.benchmark: the method's part of the benchmark (SSPL's) and its
published-computation baseline. (The tool: tests/test_tools/test_benchmark_tool.py.)"""
import pytest

pytestmark = pytest.mark.usefixtures('one_thread')  # (tests/conftest.py)


def test_baseline_is_the_published_computation(tiny_model_cfg):
    """The baseline variant (SSPL's part of the benchmark, found by the model
    type) turns every fast path off (and leaves the config it was given alone)."""
    import copy

    from sspl.apis.benchmark import method_benchmark_for
    fast = copy.deepcopy(tiny_model_cfg)
    fast.visual_backbone.channels_last = True
    fast.audio_backbone.channels_last = True
    before = copy.deepcopy(fast)
    part = method_benchmark_for(fast)(fast, work_dir='unused', device='cpu')
    baseline = part.baseline_model_cfg(fast)
    # PublishedSSPL: the per-sample audio loop and both views at evaluation
    # (tests/test_models/test_localizers/test_sspl_fast_paths.py checks both against SSPL).
    assert baseline['type'] == 'PublishedSSPL'
    from sspl.models.localizers import PublishedSSPL
    from sspl.registry import MODELS
    assert type(MODELS.build(baseline)) is PublishedSSPL
    assert baseline['visual_backbone']['channels_last'] is False
    assert baseline['audio_backbone']['channels_last'] is False
    assert fast == before
