"""`closer help-now`: support services for anyone, with no profile needed."""

from __future__ import annotations

import click

import recommender as rc
from recommender.cli.app import main
from recommender.cli.options import json_option
from recommender.cli.support import help_now
from recommender.safety import Concern


@main.command("help-now")
@click.option(
    "--concern",
    type=click.Choice([c.value for c in Concern]),
    default=None,
    help="The kind of help you need (default: crisis lines).",
)
@click.option(
    "--region",
    type=click.Choice([r.value for r in rc.Region]),
    default=None,
    help="Where you are: uk, us or international (default).",
)
@json_option
def help_now_command(concern: str | None, region: str | None, as_json: bool) -> None:
    """Support services to contact now, for you alone: crisis lines always included.

    closer is not a crisis service: if you or someone else is in danger now,
    call your local emergency number.

    \b
    Example:
      closer help-now --region uk --concern partner_abuse
    """
    help_now(region, concern, as_json)
