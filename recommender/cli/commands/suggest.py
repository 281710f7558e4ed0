"""`closer suggest`: ranked shared activities for two people."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from recommender.cli.app import main
from recommender.cli.options import (
    _check_excluded,
    _pair_history,
    apply_options,
    catalog_option,
    context_options,
    history_options,
    json_option,
    profiles_arguments,
    strategy_option,
)
from recommender.cli.render import (
    _json_out,
    nothing_fits,
    render_suggestions,
    say_relationship,
    suggestion_record,
)
from recommender.cli.support import support_first


@main.command()
@apply_options(profiles_arguments)
@apply_options(context_options)
@click.option(
    "-k",
    "k",
    type=click.IntRange(1, 50),
    default=5,
    show_default=True,
    help="How many suggestions.",
)
@strategy_option
@catalog_option
@apply_options(history_options)
@json_option
def suggest(
    profile_a: Path,
    profile_b: Path | None,
    k: int,
    strategy: str,
    catalog_path: Path | None,
    history_path: Path | None,
    pair: str | None,
    as_json: bool,
    **context: Any,
) -> None:
    """Suggest shared activities for two people, each with their own profile.

    The list shows each activity's id: record what you did with `closer done ID`.
    Without --relationship the suggestions are for friends (the most careful
    kind); the kind used is always shown.

    \b
    Example:
      closer suggest examples/ana.yaml examples/ben.yaml --minutes 90 --obstacle trust
    """
    joint = support_first(profile_a, profile_b, context, as_json, catalog_path, strategy)
    if joint is None:  # the safety path answered: individual support only
        return
    a, b, ctx, model = joint
    _check_excluded(model, ctx)
    history = _pair_history(history_path, pair, a, b)
    suggestions = model.recommend(a, b, ctx, k=k, history=history)
    if not suggestions:
        nothing_fits(model, a, b, ctx, history, as_json)
    if as_json:
        _json_out([suggestion_record(s) for s in suggestions])
    else:
        render_suggestions(suggestions)
    say_relationship(ctx, context["relationship"], (a.name, b.name), as_json)
