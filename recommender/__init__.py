"""closer: suggest shared activities that bring two people closer.

Public names are imported lazily, on first use, so ``import recommender`` stays
cheap for apps and for the ``closer`` command's quick path.

Examples
--------
>>> import recommender as rc
>>> cat = rc.default_catalog()
>>> len(cat) > 300
True
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

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
    WriteError,
)

if _typing.TYPE_CHECKING:
    from .catalog import default_catalog, default_catalog_path, load_catalog, save_catalog
    from .conversation import Prompt, ask
    from .feedback import PastActivity
    from .importer import ImportResult, import_catalog, load_mapping
    from .infer import IntimacyModel, infer_report
    from .model import STRATEGIES, Diagnosis, Recommender
    from .planning import PlanWeek, plan
    from .profiles import load_profile, save_profile
    from .schema import (
        Activity,
        Catalog,
        Contact,
        Energy,
        IntimacyType,
        Obstacle,
        OptIn,
        PairContext,
        PersonProfile,
        Practice,
        Presence,
        Region,
        Relationship,
        Setting,
        Situation,
        Suggestion,
        json_schema,
    )
    from .store import History, HistoryRecord, PairHistory, default_history_path, pair_name

__version__ = "0.1.0"

# Public name -> the module that defines it.
_LAZY = {
    "Activity": "schema",
    "Catalog": "schema",
    "Contact": "schema",
    "Energy": "schema",
    "IntimacyType": "schema",
    "Obstacle": "schema",
    "PairContext": "schema",
    "PersonProfile": "schema",
    "Practice": "schema",
    "Relationship": "schema",
    "Setting": "schema",
    "Situation": "schema",
    "OptIn": "schema",
    "Presence": "schema",
    "Region": "schema",
    "Suggestion": "schema",
    "json_schema": "schema",
    "default_catalog": "catalog",
    "default_catalog_path": "catalog",
    "load_catalog": "catalog",
    "save_catalog": "catalog",
    "Diagnosis": "model",
    "Recommender": "model",
    "STRATEGIES": "model",
    "load_profile": "profiles",
    "PlanWeek": "planning",
    "plan": "planning",
    "PastActivity": "feedback",
    "History": "store",
    "HistoryRecord": "store",
    "PairHistory": "store",
    "default_history_path": "store",
    "pair_name": "store",
    "ImportResult": "importer",
    "import_catalog": "importer",
    "load_mapping": "importer",
    "IntimacyModel": "infer",
    "infer_report": "infer",
    "Prompt": "conversation",
    "ask": "conversation",
    "save_profile": "profiles",
}

__all__ = [
    "STRATEGIES",
    "Activity",
    "Catalog",
    "CatalogError",
    "ConfigError",
    "Contact",
    "Diagnosis",
    "Energy",
    "History",
    "HistoryRecord",
    "ImportResult",
    "IntimacyModel",
    "IntimacyType",
    "ModelFileError",
    "NoSuggestionsError",
    "NotFittedError",
    "Obstacle",
    "OptIn",
    "PairContext",
    "PairHistory",
    "PastActivity",
    "PersonProfile",
    "PlanWeek",
    "Practice",
    "Presence",
    "ProfileError",
    "Prompt",
    "Recommender",
    "RecommenderError",
    "Region",
    "Relationship",
    "Setting",
    "Situation",
    "StoreError",
    "Suggestion",
    "UnknownActivityError",
    "WriteError",
    "__version__",
    "ask",
    "default_catalog",
    "default_catalog_path",
    "default_history_path",
    "import_catalog",
    "infer_report",
    "json_schema",
    "load_catalog",
    "load_mapping",
    "load_profile",
    "pair_name",
    "plan",
    "save_catalog",
    "save_profile",
]


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'recommender' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
