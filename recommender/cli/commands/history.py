"""`closer done`, `closer history`, `closer forget`: what a pair did."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from recommender.cli.app import main
from recommender.cli.options import (
    _canonical_pair,
    _catalog,
    _rated_people,
    catalog_option,
    history_path_option,
    json_option,
    pair_required_option,
)
from recommender.cli.render import (
    _json_out,
)


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
