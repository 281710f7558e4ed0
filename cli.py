"""The ``closer`` command: parse -> load and validate -> call the library -> render.

No recommendation logic lives here. Library errors are translated once, at the
boundary (:class:`CloserGroup`): bad input exits 2 with one clear message per
problem, "nothing fits" exits 1 with advice, Ctrl-C exits 130.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

import recommender as rc

F = TypeVar("F", bound=Callable[..., Any])

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


class CloserGroup(click.Group):
    """A click group that turns library errors into exit codes and one-line messages."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader went away (``closer catalog list | head -1``): exit quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except rc.NoSuggestionsError as exc:
            _fail(str(exc).splitlines(), EXIT_NOTHING_FITS)
        except rc.RecommenderError as exc:
            _fail(str(exc).splitlines() or [type(exc).__name__], EXIT_BAD_INPUT)


def _json_out(payload: Any) -> None:
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))


# ------------------------------------------------------------------ shared options

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
catalog_option = click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(path_type=Path),
    default=None,
    help="A catalogue file or folder to use instead of the bundled one.",
)


def _catalog(path: Path | None) -> rc.Catalog:
    return rc.default_catalog() if path is None else rc.load_catalog(path)


profiles_arguments = [
    click.argument("profile_a", metavar="A.yaml", type=click.Path(path_type=Path)),
    click.argument("profile_b", metavar="B.yaml", type=click.Path(path_type=Path)),
]
relationship_option = click.option(
    "--relationship",
    type=click.Choice([r.value for r in rc.Relationship]),
    default="romantic",
    show_default=True,
    help="Who the two are to each other.",
)
context_options = [
    relationship_option,
    click.option(
        "--minutes", type=click.IntRange(1, 1440), default=None, help="Time you have, in minutes."
    ),
    click.option(
        "--budget",
        type=click.IntRange(0, 3),
        default=None,
        help="Shared budget: 0 free, 1 low, 2 medium, 3 high.",
    ),
    click.option("--remote", is_flag=True, help="You are apart: only things that work on a call."),
    click.option(
        "--setting",
        type=click.Choice([s.value for s in rc.Setting]),
        default=None,
        help="Only indoor or only outdoor activities.",
    ),
    click.option(
        "--obstacle",
        "obstacles",
        multiple=True,
        type=click.Choice([o.value for o in rc.Obstacle]),
        help="What stands in the way right now (repeatable).",
    ),
    click.option(
        "--goal",
        "goals",
        multiple=True,
        type=click.Choice([t.value for t in rc.IntimacyType]),
        help="An intimacy type you want to grow (repeatable).",
    ),
    click.option(
        "--safety-concern",
        is_flag=True,
        help="Someone feels afraid, pressured or unsafe: show individual support.",
    ),
    click.option("--exclude", multiple=True, metavar="ID", help="Never suggest this activity."),
]
strategy_option = click.option(
    "--strategy",
    type=click.Choice(rc.STRATEGIES),
    default="fair",
    show_default=True,
    help="How the two people's fits combine.",
)
history_options = [
    click.option(
        "--history",
        "history_path",
        type=click.Path(path_type=Path),
        default=None,
        help="History database (default: your data folder).",
    ),
    click.option(
        "--pair",
        "pair",
        default=None,
        help="The pair's name in the history (default: both names, e.g. ana-ben).",
    ),
]


def apply_options(options: Sequence[Callable[[F], F]]) -> Callable[[F], F]:
    """Decorate a command with a list of shared click options, in order."""

    def decorate(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _context(
    relationship: str,
    minutes: int | None,
    budget: int | None,
    remote: bool,
    setting: str | None,
    obstacles: Sequence[str],
    goals: Sequence[str],
    safety_concern: bool,
    exclude: Sequence[str],
) -> rc.PairContext:
    from recommender.profiles import load_context

    return load_context(
        {
            "relationship": relationship,
            "minutes": minutes,
            "budget": budget,
            "remote": remote,
            "setting": setting,
            "obstacles": list(obstacles),
            "goals": list(goals),
            "safety_concern": safety_concern,
            "exclude": list(exclude),
        },
        source="command line",
    )


def _model(catalog_path: Path | None, **params: Any) -> rc.Recommender:
    from recommender.cache import fitted

    return fitted(catalog_path, **params)


def suggestion_record(s: rc.Suggestion) -> dict[str, Any]:
    """The JSON form of one suggestion (``suggest --json`` and ``plan --json``)."""
    a = s.activity
    return {
        "id": a.id,
        "title": a.title,
        "score": s.score,
        "scores": list(s.scores),
        "reasons": list(s.reasons),
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


# ------------------------------------------------------------------ the app


@click.group(cls=CloserGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(rc.__version__, prog_name="closer")
def main() -> None:
    """Suggest shared activities that bring two people closer.

    \b
    Example:
      closer suggest examples/ana.yaml examples/ben.yaml --minutes 90
    """


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
    profile_b: Path,
    k: int,
    strategy: str,
    catalog_path: Path | None,
    history_path: Path | None,
    pair: str | None,
    as_json: bool,
    **context: Any,
) -> None:
    """Suggest shared activities for two people, each with their own profile.

    \b
    Example:
      closer suggest examples/ana.yaml examples/ben.yaml --minutes 90 --obstacle trust
    """
    a, b = rc.load_profile(profile_a), rc.load_profile(profile_b)
    ctx = _context(**context)
    model = _model(catalog_path, strategy=strategy)
    history = _pair_history(history_path, pair, a, b)
    suggestions = model.recommend(a, b, ctx, k=k, history=history)
    if not suggestions:
        nothing_fits(model, a, b, ctx, history)
    if as_json:
        _json_out([suggestion_record(s) for s in suggestions])
    else:
        render_support(suggestions) if ctx.safety_concern else render_suggestions(
            suggestions, (a.name, b.name)
        )


def _pair_history(
    history_path: Path | None, pair: str | None, a: rc.PersonProfile, b: rc.PersonProfile
) -> Any:
    """The pair's history snapshot; reading never creates a history file."""
    from recommender.history import History, PairHistory, default_history_path, pair_name

    name = _canonical_pair(pair) if pair else pair_name(a.name, b.name)
    path = history_path or default_history_path()
    if not path.exists():  # nothing recorded yet
        return PairHistory(name)
    with History(path) as store:
        return store.for_pair(name)


# ------------------------------------------------------------------ ask and plan


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
    profile_b: Path,
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

    a, b = rc.load_profile(profile_a), rc.load_profile(profile_b)
    ctx = _context(**context)
    model = _model(catalog_path, strategy=strategy)
    if ctx.safety_concern:
        _support_instead(model, a, b, ctx, as_json)
        return
    history = _pair_history(history_path, pair, a, b)
    prompts = ask(model, a, b, ctx, n=n, depth=depth, history=history)
    if not prompts:
        _no_prompts(model, a, b, ctx, history)
    if as_json:
        _json_out([prompt_record(p) for p in prompts])
        return
    click.echo(f"Questions for {a.name} and {b.name}")
    click.echo("")
    render_prompts(prompts)
    click.echo("")
    click.echo(COMFORT_NOTE)


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
    profile_b: Path,
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

    a, b = rc.load_profile(profile_a), rc.load_profile(profile_b)
    ctx = _context(**context)
    model = _model(catalog_path, strategy=strategy)
    if ctx.safety_concern:
        _support_instead(model, a, b, ctx, as_json)
        return
    history = _pair_history(history_path, pair, a, b)
    planned = plan(
        model, a, b, ctx, weeks=weeks, history=history, prompts_per_week=prompts_per_week
    )
    if not planned:
        nothing_fits(model, a, b, ctx, history)
    if as_json:
        _json_out(
            [
                {
                    "week": w.week,
                    "max_depth": w.max_depth,
                    "activity": suggestion_record(w.activity),
                    "conversation": [prompt_record(p) for p in w.conversation],
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
            if w.conversation:
                click.echo("  Talk:")
                render_prompts(w.conversation, indent="    ")
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


# ------------------------------------------------------------------ history: done, history, forget

history_path_option = click.option(
    "--history",
    "history_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="History database (default: your data folder).",
)
pair_required_option = click.option(
    "--pair",
    "pair",
    required=True,
    metavar="NAME",
    help="The pair's name in the history: both names, lower-cased, sorted, joined by '-' "
    "(Ana + Ben -> ana-ben).",
)


def _canonical_pair(pair: str) -> str:
    """``ben-ana`` and ``ana-ben`` are one pair: two names are sorted as suggest sorts them."""
    from recommender.history import pair_name

    name = pair.strip().lower()
    parts = name.split("-")
    if len(parts) == 2 and all(parts) and parts[0] != parts[1]:
        return pair_name(*parts)
    return name


def _rated_people(pair: str, people: tuple[str, str] | None) -> tuple[str, str]:
    """Whose ratings ``--ratings A B`` are: ``--people``, else the pair name split at its '-'."""
    names = people or tuple(pair.strip().lower().split("-"))
    names = tuple(n.strip().lower() for n in names)
    if len(names) != 2 or not all(names):
        raise click.BadParameter(
            f"cannot tell whose ratings these are: the pair name {pair!r} does not split into "
            "two names at one '-'; add --people NAME NAME (in the order of --ratings)",
            param_hint="'--ratings'",
        )
    if names[0] == names[1]:
        raise click.BadParameter(
            f"the two names are the same ({names[0]!r}); give two different names with "
            "--people NAME NAME",
            param_hint="'--people'",
        )
    return names[0], names[1]


@main.command()
@click.argument("activity_id", metavar="ID")
@pair_required_option
@click.option(
    "--ratings",
    nargs=2,
    type=click.IntRange(1, 5),
    required=True,
    metavar="A B",
    help="Each person's rating, 1-5, in the order of the names in --pair "
    "(ana-ben: Ana's, then Ben's).",
)
@click.option(
    "--people",
    nargs=2,
    default=None,
    metavar="NAME NAME",
    help="Whose ratings these are, in order; needed when a name has a '-' in it.",
)
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="When you did it, YYYY-MM-DD (default: today).",
)
@history_path_option
@catalog_option
def done(
    activity_id: str,
    pair: str,
    ratings: tuple[int, int],
    people: tuple[str, str] | None,
    day: Any,
    history_path: Path | None,
    catalog_path: Path | None,
) -> None:
    """Record that a pair did an activity, with each person's rating (1-5).

    Suggestions then skip it for 90 days, lean toward what each of you rated
    well, and lower what either of you rated badly.

    \b
    Example:
      closer done stargaze --pair ana-ben --ratings 5 3
      closer done stargaze --pair ben-mary-jo --people mary-jo ben --ratings 4 5
    """
    import datetime as dt

    from recommender.history import MAX_DAYS_AHEAD, History, pair_name

    names = _rated_people(pair, people)
    activity = _catalog(catalog_path)[activity_id]  # unknown ids exit 2, naming the id
    latest = dt.date.today() + dt.timedelta(days=MAX_DAYS_AHEAD)
    if day is not None and day.date() > latest:  # checked before any file is created
        raise click.BadParameter(
            f"must not be in the future (latest {latest.isoformat()}), got {day.date()}",
            param_hint="'--date'",
        )
    canonical = _canonical_pair(pair)
    if people and pair_name(*people) != canonical:
        click.echo(
            f"closer: note: stored under {canonical!r}; suggest finds it with "
            f"--pair {canonical} (from profiles it looks for {pair_name(*people)!r})",
            err=True,
        )
    with History(history_path) as store:
        record = store.record(
            canonical,
            activity.id,
            dict(zip(names, ratings, strict=True)),
            day=None if day is None else day.date(),
        )
    click.echo(
        f"Recorded for {canonical}: {activity.title} on {record.day.isoformat()} "
        f"({names[0]} {ratings[0]}, {names[1]} {ratings[1]})."
    )


@main.command("history")
@pair_required_option
@history_path_option
@catalog_option
@json_option
def history_command(
    pair: str, history_path: Path | None, catalog_path: Path | None, as_json: bool
) -> None:
    """List what a pair has done, newest first, with each person's rating.

    \b
    Example:
      closer history --pair ana-ben
    """
    from recommender.history import History, default_history_path

    path = history_path or default_history_path()
    records: tuple[Any, ...] = ()
    pair = _canonical_pair(pair)
    if path.exists():  # reading never creates a history file
        with History(path) as store:
            records = store.records(pair)
    titles = {a.id: a.title for a in _catalog(catalog_path)} if records else {}
    if as_json:
        _json_out(
            [
                {
                    "id": r.activity_id,
                    "title": titles.get(r.activity_id),
                    "date": r.day.isoformat(),
                    "ratings": dict(r.ratings),
                }
                for r in records
            ]
        )
        return
    if not records:
        click.echo(f"No history for {pair.strip().lower()} yet.")
        return
    for r in records:
        rated = ", ".join(f"{name} {value}" for name, value in r.ratings.items()) or "not rated"
        title = titles.get(r.activity_id, "(not in this catalogue)")
        click.echo(f"{r.day.isoformat()}  {title}  [{r.activity_id}]  {rated}")


@main.command()
@pair_required_option
@history_path_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def forget(pair: str, history_path: Path | None, yes: bool) -> None:
    """Delete everything the history holds about a pair. This cannot be undone.

    \b
    Example:
      closer forget --pair ana-ben
    """
    from recommender.history import History, default_history_path

    name = _canonical_pair(pair)
    path = history_path or default_history_path()
    if not path.exists():
        click.echo(f"Nothing to forget: there is no history at {path}.")
        return
    question = f"Delete every record of {name} from {path}? This cannot be undone"
    if not yes and not click.confirm(question, default=False):
        click.echo("Nothing deleted.")
        return
    with History(path) as store:
        removed = store.forget(name)
    click.echo(f"Forgot {name}: {removed} record{'' if removed == 1 else 's'} deleted.")


@main.group()
def catalog() -> None:
    """Inspect, validate and import activity catalogues."""


@catalog.command("validate")
@click.argument("path", type=click.Path(path_type=Path))
def catalog_validate(path: Path) -> None:
    """Check a catalogue file or folder; list every problem (exit 2) or say it is valid.

    \b
    Example:
      closer catalog validate my-activities.yaml
    """
    cat = rc.load_catalog(path)
    click.echo(f"{path}: valid, {len(cat)} activities")


@catalog.command("list")
@catalog_option
@json_option
def catalog_list(catalog_path: Path | None, as_json: bool) -> None:
    """List the activities in a catalogue (the bundled one by default)."""
    cat = _catalog(catalog_path)
    if as_json:
        _json_out(
            [
                {
                    "id": a.id,
                    "title": a.title,
                    "type": a.strongest_type.value,
                    "depth": a.depth,
                    "minutes": a.minutes,
                }
                for a in cat
            ]
        )
        return
    width = max(len(a.id) for a in cat)
    for a in cat:
        click.echo(f"{a.id:<{width}}  {a.strongest_type.value:<12}  {a.title}")


@catalog.command("show")
@click.argument("activity_id")
@catalog_option
@json_option
def catalog_show(activity_id: str, catalog_path: Path | None, as_json: bool) -> None:
    """Show one activity in full."""
    activity = _catalog(catalog_path)[activity_id]
    record = activity.model_dump(mode="json")
    record["relationships"] = sorted(record["relationships"])
    if as_json:
        _json_out(record)
        return
    click.echo(activity.title)
    click.echo("=" * len(activity.title))
    click.echo(activity.description)
    click.echo("")
    for key in (
        "id",
        "practice",
        "relationships",
        "depth",
        "minutes",
        "cost",
        "energy",
        "setting",
        "remote",
        "contact",
        "accessible",
        "novelty",
        "tags",
    ):
        value = record[key]
        click.echo(f"{key:>13}: {', '.join(map(str, value)) if isinstance(value, list) else value}")
    weights = ", ".join(
        f"{t} {w:.1f}" for t, w in sorted(record["intimacy"].items(), key=lambda kv: -kv[1])
    )
    click.echo(f"{'intimacy':>13}: {weights}")
    for title, lines in (("Steps", activity.steps), ("Questions", activity.prompts)):
        if lines:
            click.echo(f"\n{title}:")
            for i, line in enumerate(lines, start=1):
                click.echo(f"  {i}. {line}")


@catalog.command("stats")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@json_option
def catalog_stats(path: Path | None, as_json: bool) -> None:
    """Print a catalogue's coverage against the bundled catalogue's minimums."""
    from recommender.coverage import coverage

    rows = coverage(_catalog(path))
    if as_json:
        _json_out(
            [{"what": r.what, "count": r.count, "minimum": r.minimum, "met": r.met} for r in rows]
        )
        return
    width = max(len(r.what) for r in rows)
    click.echo(f"{'what':<{width}}  {'count':>5}  {'min':>5}")
    for r in rows:
        mark = "" if r.met else "  << under minimum"
        click.echo(f"{r.what:<{width}}  {r.count:>5}  {r.minimum:>5}{mark}")
    short = sum(not r.met for r in rows)
    click.echo(f"\n{len(rows) - short} of {len(rows)} minimums met")


# ------------------------------------------------------------------ import

IMPORT_FORMATS = (".yaml", ".yml", ".json", ".jsonl", ".csv")


@catalog.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--map",
    "mapping_path",
    type=click.Path(path_type=Path),
    required=True,
    help="YAML mapping from the source's fields to activity fields.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Catalogue to write (.yaml, .json, .jsonl or .csv).",
)
@click.option(
    "--infer",
    is_flag=True,
    help="Predict intimacy types, practice and depth the source lacks.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 2) if any row cannot be mapped.")
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=0.5,
    show_default=True,
    help="With --infer: list items under this confidence for review.",
)
@json_option
def catalog_import(
    source: Path,
    mapping_path: Path,
    output: Path,
    infer: bool,
    strict: bool,
    threshold: float,
    as_json: bool,
) -> None:
    """Turn a foreign activity list (CSV, JSON, JSON Lines, YAML) into a catalogue.

    Rows that cannot be mapped are listed and left out (--strict fails instead).

    \b
    Example:
      closer catalog import ../shared/datasets/bored-activities.jsonl \\
          --map examples/bored-map.yaml -o bored.yaml --infer
      closer suggest examples/ana.yaml examples/ben.yaml --catalog bored.yaml
    """
    from recommender.importer import import_catalog

    if output.suffix.lower() not in IMPORT_FORMATS:
        raise click.BadParameter(
            f"must end in one of {', '.join(IMPORT_FORMATS)}, got {output.name!r}",
            param_hint="'-o' / '--output'",
        )
    result = import_catalog(source, mapping_path, infer=infer, strict=strict, threshold=threshold)
    rc.save_catalog(result.activities, output)
    left_out = result.skipped_rows
    if as_json:
        _json_out(
            {
                "output": str(output),
                "rows": result.n_rows,
                "imported": len(result.activities),
                "left_out": len(left_out),
                "inferred": result.inferred,
                "skipped": [
                    {
                        "row": s.row,
                        "field": s.field,
                        "value": s.value,
                        "reason": s.reason,
                        "excluded": s.excluded,
                    }
                    for s in result.skipped
                ],
                "review": [
                    {
                        "id": r.id,
                        "row": r.row,
                        "confidence": r.confidence,
                        "type": r.strongest_type.value,
                    }
                    for r in result.review
                ],
            }
        )
        return
    click.echo(f"Imported {len(result.activities)} of {result.n_rows} rows into {output}.")
    if left_out:
        click.echo(f"\nLeft out {len(left_out)} row{'' if len(left_out) == 1 else 's'}:")
        for skipped in result.skipped:
            click.echo(f"  {skipped}")
    if infer:
        click.echo(
            f"\nInferred intimacy types for {result.inferred} activities; "
            f"{len(result.review)} under confidence {threshold:g} need a human look "
            f"(tagged needs-review in {output}):"
        )
        width = max((len(r.id) for r in result.review), default=0)
        for item in result.review:
            click.echo(
                f"  {item.id:<{width}}  {item.strongest_type.value:<12}  {item.confidence:.2f}"
            )


@catalog.command("infer-report")
@catalog_option
@click.option(
    "--folds",
    type=click.IntRange(2, 20),
    default=5,
    show_default=True,
    help="Cross-validation folds.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=0.5,
    show_default=True,
    help="Confidence counted as sure enough.",
)
@json_option
def catalog_infer_report(
    catalog_path: Path | None, folds: int, threshold: float, as_json: bool
) -> None:
    """How well intimacy types are inferred from words, cross-validated.

    \b
    Example:
      closer catalog infer-report --folds 5
    """
    import dataclasses

    from recommender.infer import F1_TARGET, infer_report

    report = infer_report(_catalog(catalog_path), folds=folds, threshold=threshold)
    if as_json:
        _json_out(
            {
                **dataclasses.asdict(report),
                "target_macro_f1": F1_TARGET,
                "meets_target": report.meets_target,
            }
        )
        return
    click.echo(f"{report.folds}-fold cross-validation on {report.n_items} activities")
    click.echo(f"{'measure':<34} {'model':>7} {'baseline':>9}  baseline is")
    for what, value, baseline, name in report.rows():
        shown = "" if baseline is None else f"{baseline:9.3f}"
        click.echo(f"{what:<34} {value:7.3f} {shown:>9}  {name}")
    verdict = "met" if report.meets_target else "not met"
    click.echo(f"\nTarget macro-F1 >= {F1_TARGET:g}: {verdict} ({report.macro_f1:.3f}).")


@main.group()
def profile() -> None:
    """Make and check person profiles (each person answers on their own)."""


@profile.command("new")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the profile (default: NAME.yaml here).",
)
@click.option(
    "--answers",
    type=click.Path(path_type=Path),
    default=None,
    help="Answer from a YAML/JSON file instead of prompts (for scripts).",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def profile_new(output: Path | None, answers: Path | None, force: bool) -> None:
    """Answer 13 short questions (about two minutes) and save your profile.

    The file is readable by you only (mode 0600). Nothing is written until the
    last answer, so Ctrl-C leaves no half-written file.

    \b
    Example:
      closer profile new -o ana.yaml
      closer profile new --answers my-answers.yaml -o ana.yaml
    """
    from recommender.questionnaire import QUESTIONS, profile_from_answers
    from recommender.schema import slugify

    if answers is not None:
        from recommender.profiles import read_mapping

        given = read_mapping(answers)
        person = profile_from_answers(given, source=str(answers))
    else:
        replies: dict[str, Any] = {}
        click.echo("Answer for yourself; your partner, friend or colleague answers separately.\n")
        for number, question in enumerate(QUESTIONS, start=1):
            hint = f" ({question.hint})" if question.hint else ""
            kind = click.Choice(question.choices) if question.choices else str
            replies[question.key] = click.prompt(
                f"{number}/{len(QUESTIONS)} {question.text}{hint}",
                type=kind,
                default=question.default,
                show_choices=bool(question.choices),
                show_default=question.default not in (None, ""),
            )
        person = profile_from_answers(replies, source="your answers")
    target = output or Path(f"{slugify(person.name) or 'profile'}.yaml")
    if target.exists() and not force:
        raise click.UsageError(f"{target} exists; choose another -o FILE or add --force")
    rc.save_profile(person, target)
    click.echo(f"\nSaved {target} (readable by you only).")
    _show_profile(person)


@profile.command("show")
@click.argument("path", type=click.Path(path_type=Path))
@json_option
def profile_show(path: Path, as_json: bool) -> None:
    """Check a profile file and show it readably."""
    person = rc.load_profile(path)
    if as_json:
        _json_out(person.model_dump(mode="json"))
        return
    _show_profile(person)


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


SCHEMA_NAMES = ("profile", "activity", "context", "catalog", "suggestion")


@main.command()
@click.argument("name", type=click.Choice(SCHEMA_NAMES))
def schema(name: str) -> None:
    """Print the JSON Schema of a profile, activity, context or catalogue."""
    _json_out(rc.json_schema(name))


from recommender.batch_command import batch  # noqa: E402 - registered after the others

main.add_command(batch)


def run(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``closer`` script: exit codes for usage errors, Ctrl-C, closed pipes."""
    try:
        main.main(args=argv, prog_name="closer", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:  # usage errors: exit 2 with click's message
        exc.show()
        sys.exit(exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        click.echo("\ncloser: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (``closer catalog list | head -1``): exit quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)


if __name__ == "__main__":
    run()
