"""`closer plan`: one activity and one short conversation a week."""

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
    COST_LABEL,
    _json_out,
    aftercare_notes,
    nothing_fits,
    prompt_record,
    render_aftercare,
    render_prompts,
    suggestion_record,
)
from recommender.cli.support import support_first


@main.command("plan")
@apply_options(profiles_arguments)
@click.option(
    "--weeks",
    type=click.IntRange(1, 52),
    required=True,
    help="How many weeks to plan, 1..52.",
)
@click.option(
    "--prompts",
    "prompts_per_week",
    type=click.IntRange(1, 20),
    default=3,
    show_default=True,
    help="Conversation prompts each week.",
)
@apply_options(context_options)
@strategy_option
@catalog_option
@apply_options(history_options)
@json_option
def plan_command(
    profile_a: Path,
    profile_b: Path | None,
    weeks: int,
    prompts_per_week: int,
    strategy: str,
    catalog_path: Path | None,
    history_path: Path | None,
    pair: str | None,
    as_json: bool,
    **context: Any,
) -> None:
    """A plan of several weeks: one shared activity and one short conversation a week.

    Depth rises gently toward (never past) both people's comfort, intimacy
    types rotate, most weeks bring something new and exciting (couples doing
    90 minutes a week of novel activities grew closer, Coulter & Malouff 2013),
    and nothing repeats within the plan or with recent history.

    \b
    Example:
      closer plan examples/ana.yaml examples/ben.yaml --weeks 4 --minutes 120
    """
    from recommender.plan import plan

    joint = support_first(profile_a, profile_b, context, as_json, catalog_path, strategy)
    if joint is None:  # the safety path answered: individual support only
        return
    a, b, ctx, model = joint
    history = _pair_history(history_path, pair, a, b)
    planned = plan(
        model, a, b, ctx, weeks=weeks, history=history, prompts_per_week=prompts_per_week
    )
    if not planned:
        nothing_fits(model, a, b, ctx, history)
    notes = aftercare_notes(model, [p for w in planned for p in w.conversation])
    if as_json:
        _json_out(
            [
                {
                    "week": w.week,
                    "max_depth": w.max_depth,
                    "activity": suggestion_record(w.activity),
                    "conversation": [prompt_record(p, notes.get(p.id)) for p in w.conversation],
                }
                for w in planned
            ]
        )
    else:
        names = (a.name, b.name)
        click.echo(f"A {len(planned)}-week plan for {a.name} and {b.name}")
        for w in planned:
            s, act = w.activity, w.activity.activity
            click.echo("")
            click.echo(f"Week {w.week} (depth up to {w.max_depth})")
            click.echo(f"  Do:   {act.title}  [{act.id}]")
            click.echo(
                f"        {act.minutes} min, {COST_LABEL[act.cost]}, depth {act.depth}; "
                f"fit {names[0]} {s.scores[0]:.2f}, {names[1]} {s.scores[1]:.2f}"
            )
            for reason in s.reasons:
                click.echo(f"        - {reason}")
            if act.aftercare:
                click.echo(f"        Aftercare: {act.aftercare}")
            if w.conversation:
                click.echo("  Talk:")
                render_prompts(w.conversation, indent="    ")
                render_aftercare(w.conversation, notes, indent="    ")
        if any(w.conversation for w in planned):
            click.echo("")
            click.echo(COMFORT_NOTE)
    if len(planned) < weeks:
        # Say why the plan is short; what it already used counts as excluded.
        used = ctx.exclude | {w.activity.activity.id for w in planned}
        d = model.diagnose(
            a, b, ctx.model_copy(update={"exclude": frozenset(used)}), history=history
        )
        click.echo(
            f"closer: the plan stops after week {len(planned)} of {weeks}: nothing else fits "
            f"({d.remaining} of {d.total} activities left once the plan's own are used)",
            err=True,
        )
        for advice in d.advice:
            click.echo(f"closer: try: {advice}", err=True)
