"""Fixtures for every test pytest collects, doctests in ``recommender/`` included."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep the model cache and the default history out of the user's real folders."""
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("CLOSER_CACHE_DIR", str(base / "cache"))
    # One data folder per test: a pair's history (its remembered relationship, the
    # cards it was shown) must not leak from one test into the next.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "xdg-cache"))
