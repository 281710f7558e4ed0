"""`closer plan`: one activity and one short conversation a week."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from recommender.cli.app import main
from recommender.cli.options import (
    count_option,
    date_option,
    joint_pair,
    pair_command_options,
    path_option,
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
    say,
    suggestion_record,
)
from recommender.export import week_start


@main.command("plan")
@pair_command_options(
    count_option("--weeks", low=1, high=52, default=4, help="How many weeks to plan, 1..52."),
    date_option("--start", help="First day of week 1, YYYY-MM-DD: each week gets its dates."),
    path_option(
        "--export",
        "export_path",
        file_only=True,
        help="Also write the plan to FILE.ics (a calendar, one event a week) or FILE.md.",
    ),
    count_option(
        "--prompts",
        "prompts_per_week",
        low=1,
        high=20,
        default=3,
        help="Conversation prompts each week.",
    ),
)
def plan_command(
    profile_a: Path,
    profile_b: Path | None,
    weeks: int,
    start: Any,
    export_path: Path | None,
    prompts_per_week: int,
    as_json: bool,
    **options: Any,
) -> None:
    """A plan of several weeks: one shared activity and one short conversation a week.

    Depth rises gently toward (never past) both people's comfort, intimacy
    types rotate, most weeks bring something new and exciting (couples doing
    90 minutes a week of novel activities grew closer, Coulter & Malouff 2013),
    and nothing repeats within the plan or with recent history.

    \b
    Example:
      closer plan examples/ana.yaml examples/ben.yaml --minutes 120
      closer plan examples/ana.yaml examples/ben.yaml --start 2026-01-05 --export plan.ics
    """
    from recommender.export import EXPORT_FORMATS, export_plan
    from recommender.planning import plan

    if export_path is not None and export_path.suffix.lower() not in EXPORT_FORMATS:
        raise click.BadParameter(
            f"must end in .ics or .md, got {export_path.name!r}", param_hint="'--export'"
        )
    joint = joint_pair(profile_a, profile_b, as_json=as_json, **options)
    if joint is None:  # the safety path answered: individual support only
        return
    a, b, ctx, model, history = joint.a, joint.b, joint.ctx, joint.model, joint.history
    planned = plan(
        model, a, b, ctx, weeks=weeks, history=history, prompts_per_week=prompts_per_week
    )
    if not planned:
        nothing_fits(model, a, b, ctx, history, as_json)
    first_day = None if start is None else start.date()
    if export_path is not None:
        export_plan(planned, export_path, first_day, joint.names)
        click.echo(f"closer: wrote the plan to {export_path} (readable by you only)", err=True)
    notes = aftercare_notes(model, [p for w in planned for p in w.conversation])
    if as_json:
        _json_out([_week_record(w, first_day, notes) for w in planned])
    else:
        _render_plan(planned, joint.names, first_day, notes)
    joint.say_kind(as_json)
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


def _week_record(w: Any, first_day: Any, notes: dict[str, str]) -> dict[str, Any]:
    """One week of ``plan --json``; ``date`` is its first day when --start is given."""
    from recommender.output import PlanWeekRecord

    return PlanWeekRecord.model_validate(
        {
            "week": w.week,
            "max_depth": w.max_depth,
            "activity": suggestion_record(w.activity),
            "conversation": [prompt_record(p, notes.get(p.id)) for p in w.conversation],
            "date": None if first_day is None else week_start(first_day, w.week),
        }
    ).model_dump(mode="json")


def _render_plan(
    planned: Any, names: tuple[str, str], first_day: Any, notes: dict[str, str]
) -> None:
    """The plan for people: a heading per week, what to do, what to talk about."""
    click.echo(f"A {len(planned)}-week plan for {names[0]} and {names[1]}")
    for w in planned:
        s, act = w.activity, w.activity.activity
        click.echo("")
        when = "" if first_day is None else f", from {week_start(first_day, w.week)}"
        say(f"Week {w.week} (depth up to {w.max_depth}{when})", "bold")
        say(f"Do:   {act.title}  [{act.id}]", "", "  ")
        click.echo(f"        {act.minutes} min, {COST_LABEL[act.cost]}, depth {act.depth}")
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
