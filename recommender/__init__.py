"""closer: suggest shared activities that bring two people closer.

Examples
--------
>>> import recommender as rc
>>> cat = rc.default_catalog()
>>> len(cat) > 0
True
"""

from __future__ import annotations

from .catalog import default_catalog, default_catalog_path, load_catalog, save_catalog
from .errors import (
    CatalogError,
    ConfigError,
    ModelFileError,
    NoSuggestionsError,
    NotFittedError,
    ProfileError,
    RecommenderError,
    StoreError,
    UnknownActivityError,
)
from .model import STRATEGIES, Diagnosis, Recommender
from .profiles import load_profile, save_profile
from .schema import (
    Activity,
    Catalog,
    Contact,
    Energy,
    IntimacyType,
    Obstacle,
    PairContext,
    PersonProfile,
    Practice,
    Relationship,
    Setting,
    Suggestion,
    json_schema,
)

__version__ = "0.1.0"

__all__ = [
    "STRATEGIES",
    "Activity",
    "Catalog",
    "CatalogError",
    "ConfigError",
    "Contact",
    "Diagnosis",
    "Energy",
    "IntimacyType",
    "ModelFileError",
    "NoSuggestionsError",
    "NotFittedError",
    "Obstacle",
    "PairContext",
    "PersonProfile",
    "Practice",
    "ProfileError",
    "Recommender",
    "RecommenderError",
    "Relationship",
    "Setting",
    "StoreError",
    "Suggestion",
    "UnknownActivityError",
    "__version__",
    "default_catalog",
    "default_catalog_path",
    "json_schema",
    "load_catalog",
    "load_profile",
    "save_catalog",
    "save_profile",
]
