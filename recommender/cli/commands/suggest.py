"""`closer suggest`: ranked shared activities for two people."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from recommender.cli.app import main
from recommender.cli.options import count_option, joint_pair, pair_command_options
from recommender.cli.render import (
    _json_out,
    nothing_fits,
    render_suggestions,
    suggestion_record,
)


@main.command()
@pair_command_options(
    count_option("-k", "k", low=1, high=50, default=5, help="How many suggestions.")
)
def suggest(
    profile_a: Path,
    profile_b: Path | None,
    k: int,
    as_json: bool,
    **options: Any,
) -> None:
    """Suggest shared activities for two people, each with their own profile.

    The list shows each activity's id: record what you did with `closer done ID`.
    Without --relationship the suggestions are for the kind the pair chose last
    time, else for friends (the most careful kind); the kind used is always shown.

    \b
    Example:
      closer suggest examples/ana.yaml examples/ben.yaml --minutes 90 --obstacle trust
    """
    joint = joint_pair(profile_a, profile_b, as_json=as_json, **options)
    if joint is None:  # the safety path answered: individual support only
        return
    a, b, ctx, model, history = joint.a, joint.b, joint.ctx, joint.model, joint.history
    suggestions = model.recommend(a, b, ctx, k=k, history=history)
    if not suggestions:
        nothing_fits(model, a, b, ctx, history, as_json)
    if as_json:
        _json_out([suggestion_record(s) for s in suggestions])
    else:
        render_suggestions(suggestions)
    joint.say_kind(as_json)
