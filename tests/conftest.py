import os

import pytest

# Keep BLAS single-threaded in tests: 2 cores are shared with Ray and the servers.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

TIER_MARKERS = {"integration", "cluster"}
"""Tiers whose tests carry their folder's name as a marker (`-m "not cluster"`)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for tier in TIER_MARKERS & set(item.path.parts):
            item.add_marker(getattr(pytest.mark, tier))
