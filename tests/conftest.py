"""Shared fixtures: small hand-made catalogues, profiles, a fitted bundled model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import recommender as rc

ActivityFactory = Callable[..., rc.Activity]


def make_activity(id: str = "walk-together", **overrides: Any) -> rc.Activity:
    """A valid activity; override any field."""
    fields: dict[str, Any] = {
        "id": id,
        "title": f"Try {id.replace('-', ' ')}",
        "description": f"A small shared activity called {id.replace('-', ' ')}.",
        "intimacy": {"experiential": 0.8},
        "practice": "shared_experience",
        "tags": ["walking"],
        "relationships": ["romantic", "friends", "family", "colleagues"],
        "depth": 1,
        "minutes": 30,
        "cost": 0,
        "energy": "medium",
        "setting": "any",
        "remote": False,
        "contact": "none",
        "accessible": True,
        "novelty": 1,
    }
    fields.update(overrides)
    return rc.Activity.model_validate(fields)


@pytest.fixture
def activity() -> ActivityFactory:
    return make_activity


@pytest.fixture(scope="session")
def bundled() -> rc.Catalog:
    return rc.default_catalog()


@pytest.fixture(scope="session")
def model(bundled: rc.Catalog) -> rc.Recommender:
    return rc.Recommender().fit(bundled)


@pytest.fixture
def ana() -> rc.PersonProfile:
    return rc.PersonProfile(
        name="Ana",
        intimacy={"emotional": 0.9, "physical": 0.6},
        interests=["cooking", "music"],
        max_depth=4,
        budget=2,
    )


@pytest.fixture
def ben() -> rc.PersonProfile:
    return rc.PersonProfile(
        name="Ben",
        intimacy={"intellectual": 0.8, "experiential": 0.7},
        interests=["board games", "science"],
        max_depth=3,
        budget=1,
        energy="low",
    )
