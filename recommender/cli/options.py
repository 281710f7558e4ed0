"""Click options shared by several commands, defined once, and the loaders they feed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

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
    help=f"Who the two are to each other (default: {DEFAULT_RELATIONSHIP}; always shown).",
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
    with History(path) as store:
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
