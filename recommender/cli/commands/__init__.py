"""One module per command (or command group); importing them registers them on ``main``."""

from recommender.cli.commands import (
    ask,
    catalog,
    evaluate,
    help_now,
    history,
    plan,
    profile,
    schema,
    suggest,
)

__all__ = [
    "ask",
    "catalog",
    "evaluate",
    "help_now",
    "history",
    "plan",
    "profile",
    "schema",
    "suggest",
]
