"""`closer ask`: conversation prompts of rising depth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from recommender.cli.app import main
from recommender.cli.options import (
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
    COMFORT_NOTE,
    _json_out,
    _no_prompts,
    aftercare_notes,
    prompt_record,
    render_aftercare,
    render_prompts,
)
from recommender.cli.support import support_first


@main.command("ask")
@apply_options(profiles_arguments)
@click.option(
    "-n",
    "n",
    type=click.IntRange(1, 100),
    default=10,
    show_default=True,
    help="How many prompts.",
)
@click.option(
    "--depth",
    type=click.IntRange(1, 5),
    default=None,
    help="Deepest level this time, 1 light .. 5 deeply personal "
    "(never above either profile's max_depth).",
)
@apply_options(context_options)
@strategy_option
@catalog_option
@apply_options(history_options)
@json_option
def ask_command(
    profile_a: Path,
    profile_b: Path | None,
    n: int,
    depth: int | None,
    strategy: str,
    catalog_path: Path | None,
    history_path: Path | None,
    pair: str | None,
    as_json: bool,
    **context: Any,
) -> None:
    """Conversation prompts for two people: light first, rising in depth.

    Questions of rising depth, both people answering each one in turn, build
    closeness (Aron et al. 1997). Never deeper than either profile's max_depth,
    never the same prompt twice.

    \b
    Example:
      closer ask examples/ana.yaml examples/ben.yaml -n 8 --relationship friends
    """
    from recommender.conversation import ask

    joint = support_first(profile_a, profile_b, context, as_json, catalog_path, strategy)
    if joint is None:  # the safety path answered: individual support only
        return
    a, b, ctx, model = joint
    history = _pair_history(history_path, pair, a, b)
    prompts = ask(model, a, b, ctx, n=n, depth=depth, history=history)
    if not prompts:
        _no_prompts(model, a, b, ctx, history)
    notes = aftercare_notes(model, prompts)
    if as_json:
        _json_out([prompt_record(p, notes.get(p.id)) for p in prompts])
        return
    click.echo(f"Questions for {a.name} and {b.name}")
    click.echo("")
    render_prompts(prompts)
    render_aftercare(prompts, notes)
    click.echo("")
    click.echo(COMFORT_NOTE)
