"""How the CLI shows results: tables for people, JSON for programs, one-line errors."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
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
    from recommender.output import SuggestionRecord

    return SuggestionRecord.from_suggestion(s).model_dump(mode="json")


COST_LABEL = ("free", "low cost", "medium cost", "high cost")


def _console() -> Any:
    """A rich console for stdout when it is a colour terminal, else None (plain text).

    rich decides: ``is_terminal`` (not a pipe or file), ``NO_COLOR`` and ``TERM=dumb``.
    Where rich could only say no (stdout is not a terminal and no variable forces
    one), rich is not loaded at all: piped output starts faster.
    """
    if not _may_be_terminal():
        return None
    from rich.console import Console

    console = Console(highlight=False)
    if console.is_terminal and not console.no_color and not console.is_dumb_terminal:
        return console
    return None


def _may_be_terminal(stream: Any = None) -> bool:
    """Whether rich might call ``stream`` (stdout by default) a terminal (False: it
    certainly would not: no ``FORCE_COLOR`` or ``TTY_COMPATIBLE=1`` forces one, and
    the stream is no tty)."""
    if os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE") == "1":
        return True
    isatty = getattr(sys.stdout if stream is None else stream, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except ValueError:  # a closed stream
        return False


def say(text: str, style: str = "", indent: str = "") -> None:
    """One line of prose: on a colour terminal styled and wrapped at word boundaries
    (continuation lines keep the indent); elsewhere exactly ``indent + text``."""
    console = _console()
    if console is None:
        click.echo(indent + text)
        return
    from rich.markup import escape
    from rich.padding import Padding

    console.print(Padding(escape(text), (0, 0, 0, len(indent))), style=style)


def rich_table(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]]) -> bool:
    """Print a table on a colour terminal; False (nothing printed) when plain text is due.

    ``columns`` are (heading, style); cells are text, never rich markup. Long cells
    wrap at word boundaries; ids never wrap, so they can be copied whole.
    """
    console = _console()
    if console is None:
        return False
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_lines=True)
    for column, style in columns:
        table.add_column(escape(column), style=style, no_wrap=column in ("ID", "#"))
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)
    return True


def relationship_note(ctx: rc.PairContext, given: str | None, names: tuple[str, str]) -> str:
    """Which kind of relationship the suggestions are for, and whether it was chosen."""
    kind = _AS_KIND.get(ctx.relationship.value, ctx.relationship.value)
    how = "" if given else " (the default; choose with --relationship)"
    return f"For {names[0]} and {names[1]}, as {kind}{how}"


_AS_KIND = {
    "romantic": "a couple",
    "family": "adult relatives",
    "parent-child": "parent and child",
}


def render_suggestions(suggestions: Sequence[rc.Suggestion]) -> None:
    """A table on a terminal; plain numbered text otherwise (pipes, NO_COLOR).

    Each row shows the activity id (for ``closer done ID``) and its rank, not a
    number: scores can tie down a re-ranked list, so only the order is shown.
    """
    rows = [
        (
            str(i),
            s.activity.id,
            s.activity.title,
            "\n".join(s.reasons),
            str(s.activity.minutes),
            COST_LABEL[s.activity.cost],
        )
        for i, s in enumerate(suggestions, start=1)
    ]
    columns = (("#", "dim"), ("ID", "cyan"), ("Activity", "bold"), ("Why", ""), ("Min", ""))
    if rich_table((*columns, ("Cost", "")), rows):
        for i, s in enumerate(suggestions, start=1):
            if s.activity.aftercare:
                say(f"Aftercare for {i} ({s.activity.title}): {s.activity.aftercare}")
        click.echo("Record one with: closer done ID --pair NAME --ratings A B")
        return
    for i, s in enumerate(suggestions, start=1):
        a = s.activity
        echo_activity(i, a, f"{a.minutes} min, {COST_LABEL[a.cost]}, depth {a.depth}", s.reasons)


def echo_activity(number: int, activity: rc.Activity, summary: str, points: Iterable[str]) -> None:
    """One numbered activity as plain text: title and id, a summary line, points, aftercare.

    Examples
    --------
    >>> card = rc.default_catalog()["deck-on-ramp-this-or-that"]
    >>> echo_activity(1, card, "10 min, free", ["Ana likes games"])  # doctest: +ELLIPSIS
    1. ...  [deck-on-ramp-this-or-that]
       10 min, free
       - Ana likes games
    """
    click.echo(f"{number}. {activity.title}  [{activity.id}]")
    click.echo(f"   {summary}")
    for point in points:
        click.echo(f"   - {point}")
    if activity.aftercare:
        click.echo(f"   Aftercare: {activity.aftercare}")


def nothing_fits(
    model: rc.Recommender,
    a: rc.PersonProfile,
    b: rc.PersonProfile,
    ctx: rc.PairContext,
    history: Any = None,
    as_json: bool = False,
) -> NoReturn:
    """Exit 1 with which constraints removed the candidates and what to relax.

    With ``--json`` stdout still holds a valid document: the empty list.
    """
    if as_json:
        _json_out([])
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
    "activities, questions or plans to do together. These are for you, on your own:"
)
COMFORT_NOTE = (
    "Take turns: both of you answer each question. Go only as far as you both feel "
    "comfortable; either of you can pass on any question."
)


def prompt_record(p: Any, aftercare: str | None = None) -> dict[str, Any]:
    """The JSON form of one prompt (``ask --json`` and each week of ``plan --json``)."""
    from recommender.output import PromptRecord

    record = PromptRecord(
        prompt=p.prompt, depth=p.depth, id=p.id, title=p.title, aftercare=aftercare
    )
    return record.model_dump(mode="json")


def aftercare_notes(model: rc.Recommender, prompts: Sequence[Any]) -> dict[str, str]:
    """Each prompt source's aftercare note, by activity id (sources without one left out)."""
    notes = {}
    for p in prompts:
        activity = model.activities_[model.index_[p.id]]
        if activity.aftercare:
            notes[p.id] = activity.aftercare
    return notes


def render_aftercare(prompts: Sequence[Any], notes: dict[str, str], indent: str = "") -> None:
    """The aftercare of the prompts' sources, once each, after the questions."""
    shown = {p.id: p.title for p in prompts if p.id in notes}
    for activity_id, title in shown.items():
        click.echo(f"{indent}Aftercare ({title}): {notes[activity_id]}")


def render_prompts(prompts: Sequence[Any], indent: str = "") -> None:
    """A numbered list, with a heading at each new depth and each prompt's source once."""
    level = source = None
    for i, p in enumerate(prompts, start=1):
        if p.depth != level:
            level = p.depth
            say(f"Depth {p.depth}: {DEPTH_LABEL[p.depth]}", "bold", indent)
        if p.id != source:
            source = p.id
            say(f"({p.title})", "dim", indent + "  ")
        say(f"{i:>2}. {p.prompt}", "", indent + "  ")


def _no_prompts(
    model: rc.Recommender,
    a: rc.PersonProfile,
    b: rc.PersonProfile,
    ctx: rc.PairContext,
    history: Any,
    as_json: bool = False,
) -> NoReturn:
    """Exit 1: say whether the limits removed everything or only the conversations."""
    d = model.diagnose(a, b, ctx, history=history)
    if d.remaining == 0:
        nothing_fits(model, a, b, ctx, history, as_json)
    if as_json:
        _json_out([])
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


@contextlib.contextmanager
def progress_bar(shown: bool, label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr, updated as ``update(done, total)``; or nothing.

    Long work (``evaluate``, ``batch``) shows it when stderr is a terminal, so
    pipes and JSON on stdout stay clean.
    """
    if not shown:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(label, *columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def working(message: str) -> Any:
    """A transient rich progress display on stderr while slow work runs (a terminal only).

    The library reports no steps, so it is an indeterminate bar with the elapsed
    time; piped or redirected stderr gets nothing, so logs stay clean.
    """
    if not _may_be_terminal(sys.stderr):
        return contextlib.nullcontext()
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal or console.is_dumb_terminal:
        return contextlib.nullcontext()
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )

    @contextlib.contextmanager
    def shown() -> Any:
        with progress:
            progress.add_task(message, total=None)
            yield

    return shown()
