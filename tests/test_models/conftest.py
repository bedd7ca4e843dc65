"""Fixtures of the model tests: the published-format weight files of both SSPL
variants, written once per session (about 0.5 GB each, removed at the end) and
shared by the parity and the converter tests."""
import shutil

import pytest

from sspl.testing.sspl_parity import load_spec, write_published_files


@pytest.fixture(scope='session')
def published_files(parity_dir, tmp_path_factory):
    """``get(variant) -> {kind: path}`` of the four (three w/o PCM) published
    files, materialised from ``<variant>_weights_spec.json`` on first use."""
    cache, dirs = {}, []

    def get(variant: str):
        if variant not in cache:
            out_dir = tmp_path_factory.mktemp(f'{variant}_published')
            dirs.append(out_dir)
            cache[variant] = write_published_files(load_spec(parity_dir, variant), str(out_dir))
        return cache[variant]

    yield get
    for out_dir in dirs:
        shutil.rmtree(out_dir, ignore_errors=True)


@pytest.fixture(scope='module', autouse=True)
def single_torch_thread():
    """One intra-op thread for these tests (restored afterwards): on a small,
    shared CPU, two OpenMP threads make the tiny models ~20x slower, and one
    thread gives the same float32 rounding on machines with any core count."""
    import torch
    num_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(num_threads)
