"""`closer ask`: conversation prompts of rising depth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from recommender.cli.app import main
from recommender.cli.options import JointPair, count_option, joint_pair, pair_command_options
from recommender.cli.render import (
    COMFORT_NOTE,
    _json_out,
    _no_prompts,
    aftercare_notes,
    prompt_record,
    render_aftercare,
    render_prompts,
)


@main.command("ask")
@pair_command_options(
    count_option("-n", "n", low=1, high=100, default=10, help="How many prompts."),
    count_option(
        "--depth",
        low=1,
        high=5,
        default=None,
        help="Deepest level this time, 1 light .. 5 deeply personal "
        "(never above either profile's max_depth).",
    ),
    click.option("--one", is_flag=True, help="One card at a time: Enter shows the next."),
    click.option(
        "--daily", is_flag=True, help="Today's one question: a new one each day, never repeating."
    ),
)
def ask_command(
    profile_a: Path,
    profile_b: Path | None,
    n: int,
    depth: int | None,
    one: bool,
    daily: bool,
    as_json: bool,
    **options: Any,
) -> None:
    """Conversation prompts for two people: light first, rising in depth.

    Questions of rising depth, both people answering each one in turn, build
    closeness (Aron et al. 1997). Never deeper than either profile's max_depth,
    never the same prompt twice. The cards shown are kept in the pair's
    history: the next session prefers cards the pair has not seen (the
    longest-ago seen come back when all have been), and themes of activities
    the pair did come after fresh ones.

    \b
    Example:
      closer ask examples/ana.yaml examples/ben.yaml -n 8 --relationship friends
      closer ask examples/ana.yaml examples/ben.yaml --daily
    """
    joint = joint_pair(profile_a, profile_b, as_json=as_json, **options)
    if joint is None:  # the safety path answered: individual support only
        return
    prompts = _session_prompts(joint, n=1 if daily else n, depth=depth, daily=daily)
    if not prompts:
        _no_prompts(joint.model, joint.a, joint.b, joint.ctx, joint.history, as_json)
    notes = aftercare_notes(joint.model, prompts)
    if as_json:
        joint.say_kind(as_json)
        _json_out([prompt_record(p, notes.get(p.id)) for p in prompts])
        joint.remember_cards(prompts)
        return
    a, b = joint.names
    click.echo(f"{'Today' + chr(39) + 's question' if daily else 'Questions'} for {a} and {b}")
    joint.say_kind(as_json, footer=False)
    click.echo("")
    if one:
        prompts = prompts[: _one_card_at_a_time(prompts)]
    else:
        render_prompts(prompts)
    render_aftercare(prompts, notes)
    click.echo("")
    click.echo(COMFORT_NOTE)
    joint.remember_cards(prompts)


def _session_prompts(joint: JointPair, *, n: int, depth: int | None, daily: bool) -> list[Any]:
    """Today's card (``--daily``), or a session of cards the pair has not seen
    lately, whose already-done themes come last."""
    import datetime as dt

    from recommender.conversation import daily_prompt, session

    model, a, b, ctx, history = joint.model, joint.a, joint.b, joint.ctx, joint.history
    if daily:
        card = daily_prompt(model, a, b, ctx, day=dt.date.today(), pair=history.pair)
        return [] if card is None else [card]
    done = frozenset(r.activity_id for r in history.records)
    return session(
        model, a, b, ctx, n=n, ceiling=5 if depth is None else depth, history=history, stale=done
    )


def _one_card_at_a_time(prompts: list[Any]) -> int:
    """Show a card, wait for Enter (q stops), as a deck is played; returns how many
    cards were shown."""
    for i, p in enumerate(prompts, start=1):
        click.echo(f"  {i}/{len(prompts)}  (depth {p.depth}, {p.title})")
        click.echo(f"  {p.prompt}")
        if i == len(prompts):
            return i
        try:
            answer = click.prompt(
                "  Enter: next card, q: stop", default="", show_default=False, err=True
            )
        except click.Abort:  # end of input: the deck just stops
            return i
        if answer.strip().lower() == "q":
            return i
        click.echo("")
    return 0
