"""Click options shared by several commands, defined once, and the loaders they feed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

import recommender as rc
from recommender.model import DEFAULT_STRATEGY
from recommender.safety import Concern

F = TypeVar("F", bound=Callable[..., Any])


def choice_of(values: type[Enum]) -> click.Choice[str]:
    """A click choice of an enum's string values, in the enum's order.

    Examples
    --------
    >>> list(choice_of(rc.Setting).choices)
    ['indoor', 'outdoor', 'any']
    """
    return click.Choice([member.value for member in values])


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
    # Optional only for the safety path: a person at risk never needs the other's file.
    click.argument(
        "profile_b", metavar="[B.yaml]", type=click.Path(path_type=Path), required=False
    ),
]
#: Used when --relationship is not given: the most conservative kind (no couples'
#: wording, no affectionate touch), so forgetting the option never over-reaches.
DEFAULT_RELATIONSHIP = "friends"
relationship_option = click.option(
    "--relationship",
    type=choice_of(rc.Relationship),
    default=None,
    help="Who the two are to each other, kept for the pair (default: the pair's last "
    f"choice, else {DEFAULT_RELATIONSHIP}; always shown).",
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
    click.option(
        "--remote",
        is_flag=True,
        help="You are apart: only things that work on a call (apart-only items need it).",
    ),
    click.option(
        "--setting",
        type=choice_of(rc.Setting),
        default=None,
        help="Only indoor or only outdoor activities.",
    ),
    click.option(
        "--obstacle",
        "obstacles",
        multiple=True,
        type=choice_of(rc.Obstacle),
        help="What stands in the way right now (repeatable).",
    ),
    click.option(
        "--goal",
        "goals",
        multiple=True,
        type=choice_of(rc.IntimacyType),
        help="An intimacy type you want to grow (repeatable).",
    ),
    click.option(
        "--safety-concern",
        is_flag=True,
        help="Someone feels afraid, pressured or unsafe: show individual support.",
    ),
    click.option(
        "--concern",
        type=choice_of(Concern),
        default=None,
        help="Name the kind of help you need (implies --safety-concern).",
    ),
    click.option(
        "--region",
        type=choice_of(rc.Region),
        default=None,
        help="Where you live, to choose support services (overrides the profiles').",
    ),
    click.option("--exclude", multiple=True, metavar="ID", help="Never suggest this activity."),
]
strategy_option = click.option(
    "--strategy",
    type=click.Choice(rc.STRATEGIES),
    default=DEFAULT_STRATEGY,
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
    relationship: str | None,
    minutes: int | None,
    budget: int | None,
    remote: bool,
    setting: str | None,
    obstacles: Sequence[str],
    goals: Sequence[str],
    safety_concern: bool,
    exclude: Sequence[str],
    concern: str | None = None,
    region: str | None = None,
) -> rc.PairContext:
    from recommender.profiles import load_context

    return load_context(
        {
            "relationship": relationship or DEFAULT_RELATIONSHIP,
            "minutes": minutes,
            "budget": budget,
            "remote": remote,
            "setting": setting,
            "obstacles": list(obstacles),
            "goals": list(goals),
            "safety_concern": safety_concern or concern is not None,
            "exclude": list(exclude),
            "region": region,
        },
        source="command line",
    )


def _model(catalog_path: Path | None, **params: Any) -> rc.Recommender:
    from recommender.cache import fitted
    from recommender.cli.render import working

    if catalog_path is None:  # the bundled catalogue: cached, or fitted in well under a second
        return fitted(catalog_path, **params)
    with working(f"Reading and fitting {catalog_path.name}"):
        return fitted(catalog_path, **params)


def _pair_history(
    history_path: Path | None, pair: str | None, a: rc.PersonProfile, b: rc.PersonProfile
) -> Any:
    """The pair's history snapshot; reading never creates a history file."""
    from recommender.history import History, PairHistory, default_history_path, pair_name

    name = _canonical_pair(pair) if pair else pair_name(a.name, b.name)
    path = history_path or default_history_path()
    if not path.exists():  # nothing recorded yet
        return PairHistory(name)
    try:
        store = History(path)
    except rc.StoreError:  # one we may not write (or upgrade): read it as it is
        store = History(path, readonly=True)
    with store:
        return store.for_pair(name)


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
    "(Ana + Ben -> ana-ben; `closer pairs` lists them).",
)


def _canonical_pair(pair: str) -> str:
    """``ben-ana``, ``Ana_Ben`` and ``ana ben`` are one pair: the store's one normalisation."""
    from recommender.store import normalize_pair

    return normalize_pair(pair)


def _rated_people(pair: str, people: tuple[str, str] | None) -> tuple[str, str]:
    """Whose ratings ``--ratings A B`` are: ``--people``, else the pair name split at its '-'."""
    import re

    from recommender.history import normalize_pair

    # In the order written (ratings follow it), each name normalised as the store does.
    if people:
        names = tuple(n.strip().lower() for n in people)
    else:  # one name per part (no '-' left in a part, so nothing is re-sorted)
        names = tuple(normalize_pair(n) for n in re.split(r"[\s_.-]+", pair.strip()) if n)
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


def _did_you_mean(wanted: str, known: Sequence[str]) -> str:
    """``; did you mean 'x'?`` for the nearest known ids, or nothing when none is near."""
    import difflib

    near = difflib.get_close_matches(wanted, known, n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""


def _activity(catalog: rc.Catalog, activity_id: str) -> rc.Activity:
    """The activity with this id, or an error naming the id and the nearest ones (exit 2)."""
    if activity_id in catalog:
        return catalog[activity_id]
    raise rc.UnknownActivityError(
        f"no activity with id {activity_id!r} in the catalogue ({len(catalog)} activities)"
        f"{_did_you_mean(activity_id, catalog.ids)}"
    )


def _check_excluded(model: rc.Recommender, ctx: rc.PairContext) -> None:
    """An --exclude id that no activity has is a typo, not a no-op."""
    for activity_id in sorted(ctx.exclude):
        if activity_id not in model.index_:
            raise click.BadParameter(
                f"no activity has the id {activity_id!r}"
                f"{_did_you_mean(activity_id, model.activity_ids_)}",
                param_hint="'--exclude'",
            )


# ------------------------------------------------------------------ the pair commands

no_history_option = click.option(
    "--no-history",
    "no_history",
    is_flag=True,
    help="Neither read nor write the pair's history (what you did, cards shown, the kind "
    "of relationship).",
)


def pair_command_options(*own: Callable[[F], F]) -> Callable[[F], F]:
    """Every option of ``suggest``, ``ask`` and ``plan``: the two profiles, the
    command's ``own`` options, the pair's situation, strategy, catalogue, history
    and ``--json``; the command receives the situation as ``**context``."""
    return apply_options(
        [
            *profiles_arguments,
            *own,
            *context_options,
            strategy_option,
            catalog_option,
            *history_options,
            no_history_option,
            json_option,
        ]
    )


@dataclass(frozen=True)
class JointPair:
    """Two people on the joint path: profiles, situation, model, history snapshot.

    ``kind_source`` says where ``ctx.relationship`` came from: ``given`` on the
    command line (and remembered for the pair), the pair's ``history``, or the
    ``default`` (:data:`DEFAULT_RELATIONSHIP`).
    """

    a: rc.PersonProfile
    b: rc.PersonProfile
    ctx: rc.PairContext
    model: rc.Recommender
    history: rc.PairHistory
    kind_source: Literal["given", "history", "default"]
    history_path: Path | None
    keep_history: bool

    @property
    def names(self) -> tuple[str, str]:
        """The two people's names, in the order given."""
        return self.a.name, self.b.name

    def say_kind(self, as_json: bool, *, footer: bool = True) -> None:
        """Say which kind of relationship the output is for, and where it came from.

        For people always (the last line, or with ``footer=False`` a line under
        the heading); beside ``--json`` (whose stdout is the document alone) on
        stderr, unless it was given on the command line.
        """
        from recommender.cli.render import relationship_note

        note = relationship_note(
            self.ctx, None if self.kind_source == "default" else "-", self.names
        )
        if self.kind_source == "history":
            note += f" (from the history of {self.history.pair}; choose with --relationship)"
        if not as_json:
            click.echo(f"\n{note}." if footer else f"{note}.")
        elif self.kind_source != "given":
            click.echo(f"closer: {note[0].lower()}{note[1:]}", err=True)

    def remember_cards(self, prompts: Sequence[Any]) -> None:
        """Record the cards shown, so the next session prefers others."""
        from recommender.conversation import card_key

        if prompts:
            cards = [card_key(p.prompt) for p in prompts]
            self._write(lambda s: s.mark_shown(self.history.pair, cards))

    def _write(self, write: Callable[[Any], object]) -> None:
        """Write to the pair's history; a failure is a note, never the command's end."""
        from recommender.history import History

        if not self.keep_history:
            return
        try:
            with History(self.history_path) as store:
                write(store)
        except rc.RecommenderError as exc:
            click.echo(f"closer: note: {exc} (not kept; the rest is done)", err=True)


def joint_pair(
    profile_a: Path,
    profile_b: Path | None,
    *,
    as_json: bool,
    catalog_path: Path | None,
    strategy: str,
    history_path: Path | None,
    pair: str | None,
    no_history: bool,
    **context: Any,
) -> JointPair | None:
    """The pair on the joint path, or None when the safety path answered.

    Takes the options of :func:`pair_command_options` (``context``: the pair's
    situation, as :func:`_context` reads it). Checks ``--exclude``, reads the
    pair's history (unless ``--no-history``) and takes the kind of relationship
    from ``--relationship`` (remembered for the pair), else from the history,
    else :data:`DEFAULT_RELATIONSHIP`.
    """
    from recommender.cli.support import support_first
    from recommender.history import PairHistory, pair_name

    joint = support_first(profile_a, profile_b, context, as_json, catalog_path, strategy)
    if joint is None:
        return None
    a, b, ctx, model = joint
    _check_excluded(model, ctx)
    if no_history:
        history = PairHistory(_canonical_pair(pair) if pair else pair_name(a.name, b.name))
    else:
        history = _pair_history(history_path, pair, a, b)
    remembered = history.relationship
    source: Literal["given", "history", "default"] = "default"
    if context["relationship"] is not None:
        source = "given"
    elif remembered in {r.value for r in rc.Relationship}:
        source = "history"
        ctx = _context(**{**context, "relationship": remembered})
    found = JointPair(a, b, ctx, model, history, source, history_path, not no_history)
    if source == "given" and remembered != ctx.relationship.value:
        kind = ctx.relationship.value
        found._write(lambda s: s.remember_relationship(history.pair, kind))
    return found


# ------------------------------------------------------------------ option kinds


def count_option(
    *decls: str, low: int, high: int | None, default: int | None, help: str
) -> Callable[[F], F]:
    """An option taking a whole number in ``low..high`` (no upper limit when None);
    its default is shown in ``--help`` when there is one."""
    return click.option(
        *decls,
        type=click.IntRange(low, high),
        default=default,
        show_default=default is not None,
        help=help,
    )


def share_option(*decls: str, default: float, help: str) -> Callable[[F], F]:
    """An option taking a number in ``0..1`` (a confidence, a threshold)."""
    return click.option(
        *decls, type=click.FloatRange(0.0, 1.0), default=default, show_default=True, help=help
    )


def path_option(
    *decls: str, help: str, required: bool = False, file_only: bool = False
) -> Callable[[F], F]:
    """An option naming a file (``file_only``: never a folder), None when not given."""
    # No explicit default: click would then take None as given and skip `required`.
    return click.option(
        *decls,
        type=click.Path(path_type=Path, dir_okay=not file_only),
        required=required,
        help=help,
    )


def date_option(*decls: str, help: str) -> Callable[[F], F]:
    """An option taking a day as YYYY-MM-DD (a ``datetime``), None when not given."""
    return click.option(*decls, type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help=help)
