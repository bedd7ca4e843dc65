"""cpu_bf16_capability (sspl/utils/benchmark.py), the benchmark's note on the
CPU's bf16 units: what each kind of CPU reports, and a oneDNN ISA limit
(how docs/benchmark.md emulates an AVX2-only CPU) said beside it."""
import pytest

from sspl.utils import benchmark


@pytest.mark.parametrize('flags, units', [
    ({'avx2', 'avx512f', 'avx512_bf16', 'amx_tile', 'amx_bf16'}, 'AMX (amx_bf16, avx512_bf16)'),
    ({'avx2', 'avx512f', 'avx512_bf16'}, 'AVX512-BF16 (avx512_bf16)'),
    ({'asimd', 'bf16'}, 'Arm BF16 (bf16)'),
    ({'avx2', 'avx512f'}, 'none'),
    ({'avx2', 'fma'}, 'none'),
    (set(), 'unknown (no /proc/cpuinfo)'),
])
def test_units_per_cpu(monkeypatch, flags, units):
    monkeypatch.setattr(benchmark, 'cpu_flags', lambda: flags)
    monkeypatch.delenv('ONEDNN_MAX_CPU_ISA', raising=False)
    monkeypatch.delenv('DNNL_MAX_CPU_ISA', raising=False)
    text = benchmark.cpu_bf16_capability()
    assert text.startswith(units + '; torch CPU capability ')
    assert 'oneDNN limited' not in text


def test_onednn_limit_is_said(monkeypatch):
    monkeypatch.setattr(benchmark, 'cpu_flags', lambda: {'avx512_bf16', 'amx_bf16'})
    monkeypatch.setenv('ONEDNN_MAX_CPU_ISA', 'AVX2')
    assert benchmark.cpu_bf16_capability().endswith(
        '; oneDNN limited to AVX2 (ONEDNN_MAX_CPU_ISA)')
