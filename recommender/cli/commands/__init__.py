"""One module per command (or command group); importing one registers its commands on ``main``.

Importing this package alone registers nothing: :func:`register_all` imports
every command module (what ``closer --help`` and most commands need), while
``closer suggest``, ``ask`` and ``plan`` import their own module only (see
:func:`recommender.cli.run`), so they start without the others' imports.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: Every command module, in the order ``closer --help`` has always registered them.
MODULES = (
    "ask",
    "batch",
    "catalog",
    "evaluate",
    "help_now",
    "history",
    "plan",
    "profile",
    "schema",
    "suggest",
)

__all__ = ["MODULES", "register_all", *MODULES]  # the modules load on first access


def register_all() -> None:
    """Import every command module, registering all commands on ``main``."""
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")


def __getattr__(name: str) -> ModuleType:
    if name not in MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return importlib.import_module(f"{__name__}.{name}")
