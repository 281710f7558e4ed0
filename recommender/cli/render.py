"""How the CLI shows results: tables for people, JSON for programs, one-line errors."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

import recommender as rc

EXIT_NOTHING_FITS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
MAX_PROBLEM_LINES = 25


def _fail(lines: Sequence[str], code: int) -> NoReturn:
    shown = list(lines[:MAX_PROBLEM_LINES])
    if len(lines) > MAX_PROBLEM_LINES:
        shown.append(f"... and {len(lines) - MAX_PROBLEM_LINES} more problems")
    for line in shown:
        click.echo(f"closer: {line}", err=True)
    sys.exit(code)


def _json_out(payload: Any) -> None:
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))


def suggestion_record(s: rc.Suggestion) -> dict[str, Any]:
    """The JSON form of one suggestion (``suggest --json`` and ``plan --json``)."""
    a = s.activity
    return {
        "id": a.id,
        "title": a.title,
        "score": s.score,
        "scores": list(s.scores),
        "reasons": list(s.reasons),
        "reason_codes": list(s.reason_codes),
        "intimacy": {t.value: w for t, w in a.intimacy.items()},
        "depth": a.depth,
        "minutes": a.minutes,
        "cost": a.cost,
        "practice": a.practice.value,
        "description": a.description,
        "tags": list(a.tags),
        "steps": list(a.steps),
        "prompts": list(a.prompts),
    }


COST_LABEL = ("free", "low cost", "medium cost", "high cost")


def _use_rich() -> bool:
    return (
        sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    )


def render_support(suggestions: Sequence[rc.Suggestion]) -> None:
    """Individual support resources in full (no fit numbers: they are not a match score)."""
    if suggestions:
        click.echo(suggestions[0].reasons[0] + ".\n")
    for i, s in enumerate(suggestions, start=1):
        click.echo(f"{i}. {s.activity.title}  [{s.activity.id}]")
        click.echo(f"   {s.activity.description}")
        for step in s.activity.steps:
            click.echo(f"   - {step}")
        click.echo("")


def render_suggestions(suggestions: Sequence[rc.Suggestion], names: tuple[str, str]) -> None:
    """A table on a terminal; plain numbered text otherwise (pipes, NO_COLOR)."""
    if _use_rich():
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        table = Table(show_lines=True)
        for column, style in (
            ("#", "dim"),
            ("Activity", "bold"),
            ("Why", ""),
            ("Min", ""),
            ("Cost", ""),
            (names[0], ""),
            (names[1], ""),
        ):
            # Names, titles and reasons are text, never rich markup ("[/b]" is a name).
            table.add_column(escape(column), style=style, overflow="fold")
        for i, s in enumerate(suggestions, start=1):
            table.add_row(
                str(i),
                escape(s.activity.title),
                escape("\n".join(s.reasons)),
                str(s.activity.minutes),
                COST_LABEL[s.activity.cost],
                f"{s.scores[0]:.2f}",
                f"{s.scores[1]:.2f}",
            )
        Console().print(table)
        return
    for i, s in enumerate(suggestions, start=1):
        a = s.activity
        click.echo(f"{i}. {a.title}  [{a.id}]")
        click.echo(
            f"   {a.minutes} min, {COST_LABEL[a.cost]}, depth {a.depth}; "
            f"fit {names[0]} {s.scores[0]:.2f}, {names[1]} {s.scores[1]:.2f}"
        )
        for reason in s.reasons:
            click.echo(f"   - {reason}")


def nothing_fits(
    model: rc.Recommender,
    a: rc.PersonProfile,
    b: rc.PersonProfile,
    ctx: rc.PairContext,
    history: Any = None,
) -> NoReturn:
    """Exit 1 with which constraints removed the candidates and what to relax."""
    d = model.diagnose(a, b, ctx, history=history)
    removed = ", ".join(
        f"{name} {count}"
        for name, count in sorted(d.removed.items(), key=lambda kv: -kv[1])
        if count and name != "support"  # support is offered apart, not a limit to relax
    )
    lines = [
        f"nothing fits: {d.remaining} of {d.total} activities pass every limit "
        f"(removed by {removed})"
    ]
    lines += [f"try: {advice}" for advice in d.advice]
    _fail(lines, EXIT_NOTHING_FITS)


DEPTH_LABEL = {
    1: "light and playful",
    2: "getting to know each other",
    3: "personal",
    4: "vulnerable",
    5: "deeply personal",
}
SAFETY_NOTE = (
    "You mentioned feeling afraid, pressured or unsafe, so closer does not suggest "
    "questions or plans to do together. These are for you, on your own:"
)
COMFORT_NOTE = (
    "Take turns: both of you answer each question. Go only as far as you both feel "
    "comfortable; either of you can pass on any question."
)


def prompt_record(p: Any) -> dict[str, Any]:
    """The JSON form of one prompt (``ask --json`` and each week of ``plan --json``)."""
    return {"prompt": p.prompt, "depth": p.depth, "id": p.id, "title": p.title}


def render_prompts(prompts: Sequence[Any], indent: str = "") -> None:
    """A numbered list, with a heading at each new depth and each prompt's source once."""
    level = source = None
    for i, p in enumerate(prompts, start=1):
        if p.depth != level:
            level = p.depth
            click.echo(f"{indent}Depth {p.depth}: {DEPTH_LABEL[p.depth]}")
        if p.id != source:
            source = p.id
            click.echo(f"{indent}  ({p.title})")
        click.echo(f"{indent}  {i:>2}. {p.prompt}")


def _support_instead(
    model: rc.Recommender,
    a: rc.PersonProfile,
    b: rc.PersonProfile,
    ctx: rc.PairContext,
    as_json: bool,
) -> None:
    """safety_concern: individual support only, never joint questions or a plan."""
    if as_json:
        _json_out([])
        click.echo(
            "closer: safety concern: no joint prompts or plan; "
            "`closer suggest --safety-concern` lists individual support",
            err=True,
        )
        return
    click.echo(SAFETY_NOTE)
    click.echo("")
    render_support(model.recommend(a, b, ctx, k=5))


def _no_prompts(
    model: rc.Recommender,
    a: rc.PersonProfile,
    b: rc.PersonProfile,
    ctx: rc.PairContext,
    history: Any,
) -> NoReturn:
    """Exit 1: say whether the limits removed everything or only the conversations."""
    d = model.diagnose(a, b, ctx, history=history)
    if d.remaining == 0:
        nothing_fits(model, a, b, ctx, history)
    _fail(
        [
            f"no conversation prompts fit: {d.remaining} of {d.total} activities pass every "
            "limit, but none of them is a conversation activity within --depth",
            "try: more --minutes, a higher --depth (or max_depth in both profiles), fewer "
            "--obstacle or --exclude, or `closer suggest` for shared activities",
        ],
        EXIT_NOTHING_FITS,
    )


def _show_profile(person: rc.PersonProfile) -> None:
    click.echo(f"{person.name}")
    for kind in rc.IntimacyType:
        weight = person.weight(kind)
        click.echo(f"  {kind.value:<13} {'#' * round(weight * 10):<10} {weight:.2f}")
    click.echo(f"  interests     {', '.join(person.interests) or '-'}")
    click.echo(f"  never         {', '.join(person.avoid) or '-'}")
    click.echo(f"  depth up to   {person.max_depth} of 5;  budget {COST_LABEL[person.budget]}")
    click.echo(
        f"  energy        {person.energy.value if person.energy else 'any'};  "
        f"touch up to {person.max_contact.value}"
        f"{';  limited mobility' if person.limited_mobility else ''}"
    )
