"""`closer done`, `closer history`, `closer forget`: what a pair did."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from recommender.cli.app import main
from recommender.cli.options import (
    _activity,
    _canonical_pair,
    _catalog,
    _rated_people,
    catalog_option,
    date_option,
    history_path_option,
    json_option,
    pair_required_option,
)
from recommender.cli.render import (
    _json_out,
    rich_table,
)


@main.command()
@click.argument("activity_id", metavar="ID")
@pair_required_option
@click.option(
    "--ratings",
    nargs=2,
    type=click.IntRange(1, 5),
    default=None,
    metavar="A B",
    help="Each person's rating, 1-5, in the order of the names in --pair "
    "(ana-ben: Ana's, then Ben's). Needed unless --skip.",
)
@click.option(
    "--skip",
    is_flag=True,
    help='"Not for us": hide it like a done activity, without ratings.',
)
@click.option(
    "--people",
    nargs=2,
    default=None,
    metavar="NAME NAME",
    help="Whose ratings these are, in order; needed when a name has a '-' in it.",
)
@date_option("--date", "day", help="When you did it, YYYY-MM-DD (default: today).")
@history_path_option
@catalog_option
def done(
    activity_id: str,
    pair: str,
    ratings: tuple[int, int] | None,
    skip: bool,
    people: tuple[str, str] | None,
    day: Any,
    history_path: Path | None,
    catalog_path: Path | None,
) -> None:
    """Record that a pair did an activity, with each person's rating (1-5).

    Suggestions then skip it for 90 days, lean toward what each of you rated
    well, and lower what either of you rated badly. With --skip it is only
    hidden ("not for us"); `closer undo` takes back the last record.

    \b
    Example:
      closer done make-a-deck-of-feeling-cards --pair ana-ben --ratings 5 3
      closer done make-a-deck-of-feeling-cards --pair ana-ben --skip
      closer done make-a-deck-of-feeling-cards --pair ben-mary-jo --people mary-jo ben --ratings 4 5
    """
    import datetime as dt

    from recommender.history import MAX_DAYS_AHEAD, History, pair_name

    if skip == (ratings is not None):
        raise click.UsageError(
            "Missing option '--ratings' A B (or --skip for 'not for us')"
            if not skip
            else "--skip takes no --ratings"
        )
    names = _rated_people(pair, people)
    activity = _activity(_catalog(catalog_path), activity_id)
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
        _note_a_new_pair(canonical, store.pairs())
        record = store.record(
            canonical,
            activity.id,
            dict(zip(names, ratings, strict=True)) if ratings else None,
            day=None if day is None else day.date(),
            skipped=skip,
        )
    how = (
        "not for us, hidden"
        if ratings is None
        else f"{names[0]} {ratings[0]}, {names[1]} {ratings[1]}"
    )
    click.echo(
        f"Recorded for {canonical}: {activity.title} on {record.day.isoformat()} ({how}). "
        f"Record {record.id}; `closer undo --pair {canonical}` takes it back."
    )


def _note_a_new_pair(pair: str, known: list[str]) -> None:
    """A first record for a pair whose name is close to a known one is probably a typo:
    say so (it is still recorded; `closer undo` takes it back)."""
    from recommender.cli.options import _did_you_mean

    if pair in known:
        return
    near = _did_you_mean(pair, known)
    if near:
        click.echo(f"closer: note: {pair!r} is a new pair{near}", err=True)


@main.command("history")
@pair_required_option
@click.option(
    "--delete",
    "delete_id",
    type=click.IntRange(1),
    default=None,
    metavar="RECORD",
    help="Delete one record, by the number `closer history` shows.",
)
@history_path_option
@catalog_option
@json_option
def history_command(
    pair: str,
    delete_id: int | None,
    history_path: Path | None,
    catalog_path: Path | None,
    as_json: bool,
) -> None:
    """List what a pair has done, newest first, with each person's rating.

    \b
    Example:
      closer history --pair ana-ben
      closer history --pair ana-ben --delete 3
    """
    from recommender.history import History, default_history_path

    path = history_path or default_history_path()
    if delete_id is not None:
        _delete_record(path, _canonical_pair(pair), delete_id)
        return
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
                    "record": r.id,
                    "title": titles.get(r.activity_id),
                    "date": r.day.isoformat(),
                    "ratings": dict(r.ratings),
                    "skipped": r.skipped,
                }
                for r in records
            ]
        )
        return
    if not records:
        click.echo(f"No history for {pair} yet.")
        return
    rows = [
        (
            r.day.isoformat(),
            str(r.id),
            r.activity_id,
            titles.get(r.activity_id, "(not in this catalogue)"),
            "not for us"
            if r.skipped
            else ", ".join(f"{name} {value}" for name, value in r.ratings.items()) or "not rated",
        )
        for r in records
    ]
    columns = (("Date", ""), ("#", "dim"), ("ID", "cyan"), ("Activity", "bold"), ("Rated", ""))
    if not rich_table(columns, rows):
        for day, number, activity_id, title, rated in rows:
            click.echo(f"{day}  #{number}  {title}  [{activity_id}]  {rated}")


def _delete_record(path: Path, pair: str, record_id: int) -> None:
    """Delete one record of ``pair``; a record of another pair is refused, untouched."""
    from recommender.history import History

    if not path.exists():
        raise click.UsageError(f"there is no history at {path}")
    with History(path) as store:
        if record_id not in {r.id for r in store.records(pair)}:
            raise click.BadParameter(
                f"{pair} has no record {record_id} (`closer history --pair {pair}` lists them)",
                param_hint="'--delete'",
            )
        gone = store.delete(record_id)
    click.echo(f"Deleted record {gone.id} of {pair}: {gone.activity_id} on {gone.day}.")


@main.command()
@pair_required_option
@history_path_option
def undo(pair: str, history_path: Path | None) -> None:
    """Take back the pair's most recent `closer done`.

    \b
    Example:
      closer undo --pair ana-ben
    """
    from recommender.history import History, default_history_path

    name = _canonical_pair(pair)
    path = history_path or default_history_path()
    gone = None
    if path.exists():
        with History(path) as store:
            gone = store.undo(name)
    if gone is None:
        click.echo(f"Nothing to undo: no history for {name}.")
        return
    click.echo(f"Undone: record {gone.id}, {gone.activity_id} on {gone.day.isoformat()}.")


@main.command()
@history_path_option
@json_option
def pairs(history_path: Path | None, as_json: bool) -> None:
    """List the pairs the history knows, to spot a typo in --pair.

    \b
    Example:
      closer pairs
    """
    from recommender.history import History, default_history_path

    path = history_path or default_history_path()
    known: list[str] = []
    if path.exists():  # reading never creates a history file
        with History(path) as store:
            known = store.pairs()
    if as_json:
        _json_out(known)
        return
    if not known:
        click.echo(f"No pairs yet: the history at {path} is empty.")
        return
    for name in known:
        click.echo(name)


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
