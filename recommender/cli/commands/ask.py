"""`closer ask`: conversation prompts of rising depth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

import recommender as rc
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
    COMFORT_NOTE,
    _json_out,
    _no_prompts,
    aftercare_notes,
    prompt_record,
    render_aftercare,
    render_prompts,
    say_relationship,
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
@click.option("--one", is_flag=True, help="One card at a time: Enter shows the next.")
@click.option(
    "--daily", is_flag=True, help="Today's one question: a new one each day, never repeating."
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
    one: bool,
    daily: bool,
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
    never the same prompt twice. Themes of activities in the pair's history
    come after fresh ones, so sessions do not open with the same cards.

    \b
    Example:
      closer ask examples/ana.yaml examples/ben.yaml -n 8 --relationship friends
      closer ask examples/ana.yaml examples/ben.yaml --daily
    """
    joint = support_first(profile_a, profile_b, context, as_json, catalog_path, strategy)
    if joint is None:  # the safety path answered: individual support only
        return
    a, b, ctx, model = joint
    _check_excluded(model, ctx)
    history = _pair_history(history_path, pair, a, b)
    prompts = _session_prompts(
        model, a, b, ctx, history, n=1 if daily else n, depth=depth, daily=daily
    )
    if not prompts:
        _no_prompts(model, a, b, ctx, history, as_json)
    notes = aftercare_notes(model, prompts)
    if as_json:
        say_relationship(ctx, context["relationship"], (a.name, b.name), as_json)
        _json_out([prompt_record(p, notes.get(p.id)) for p in prompts])
        return
    click.echo(
        f"{'Today' + chr(39) + 's question' if daily else 'Questions'} for {a.name} and {b.name}"
    )
    say_relationship(ctx, context["relationship"], (a.name, b.name), as_json, footer=False)
    click.echo("")
    if one:
        _one_card_at_a_time(prompts)
    else:
        render_prompts(prompts)
    render_aftercare(prompts, notes)
    click.echo("")
    click.echo(COMFORT_NOTE)


def _session_prompts(
    model: rc.Recommender,
    a: rc.PersonProfile,
    b: rc.PersonProfile,
    ctx: rc.PairContext,
    history: Any,
    *,
    n: int,
    depth: int | None,
    daily: bool,
) -> list[Any]:
    """Today's card (``--daily``), or a session whose already-done themes come last."""
    import datetime as dt

    from recommender.conversation import daily_prompt, session

    if daily:
        card = daily_prompt(model, a, b, ctx, day=dt.date.today(), pair=history.pair)
        return [] if card is None else [card]
    done = frozenset(r.activity_id for r in history.records)
    return session(
        model, a, b, ctx, n=n, ceiling=5 if depth is None else depth, history=history, stale=done
    )


def _one_card_at_a_time(prompts: list[Any]) -> None:
    """Show a card, wait for Enter (q stops), as a deck is played."""
    for i, p in enumerate(prompts, start=1):
        click.echo(f"  {i}/{len(prompts)}  (depth {p.depth}, {p.title})")
        click.echo(f"  {p.prompt}")
        if i == len(prompts):
            return
        try:
            answer = click.prompt(
                "  Enter: next card, q: stop", default="", show_default=False, err=True
            )
        except click.Abort:  # end of input: the deck just stops
            return
        if answer.strip().lower() == "q":
            return
        click.echo("")
