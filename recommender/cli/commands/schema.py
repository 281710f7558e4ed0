"""`closer schema NAME`: JSON Schema for apps."""

from __future__ import annotations

import click

import recommender as rc
from recommender.cli.app import main
from recommender.cli.render import (
    _json_out,
)

SCHEMA_NAMES = ("profile", "activity", "context", "catalog", "suggestion")


@main.command()
@click.argument("name", type=click.Choice(SCHEMA_NAMES))
def schema(name: str) -> None:
    """Print the JSON Schema of a profile, activity, context or catalogue."""
    _json_out(rc.json_schema(name))
