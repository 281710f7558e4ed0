"""The ``closer`` command: parse -> load and validate -> call the library -> render.

No recommendation logic lives here. Library errors are translated once, at the
boundary (:class:`CloserGroup`): bad input exits 2 with one clear message per
problem, "nothing fits" exits 1 with advice, Ctrl-C exits 130.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
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


class CloserGroup(click.Group):
    """A click group that turns library errors into exit codes and one-line messages."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except rc.NoSuggestionsError as exc:
            _fail(str(exc).splitlines(), EXIT_NOTHING_FITS)
        except rc.RecommenderError as exc:
            _fail(str(exc).splitlines() or [type(exc).__name__], EXIT_BAD_INPUT)


def _json_out(payload: Any) -> None:
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))


# ------------------------------------------------------------------ shared options

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
catalog_option = click.option(
    "--catalog", "catalog_path", type=click.Path(path_type=Path), default=None,
    help="A catalogue file or folder to use instead of the bundled one.")


def _catalog(path: Path | None) -> rc.Catalog:
    return rc.default_catalog() if path is None else rc.load_catalog(path)


# ------------------------------------------------------------------ the app


@click.group(cls=CloserGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(rc.__version__, prog_name="closer")
def main() -> None:
    """Suggest shared activities that bring two people closer.

    \b
    Example:
      closer suggest examples/ana.yaml examples/ben.yaml --minutes 90
    """


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
        _json_out([{"id": a.id, "title": a.title, "type": a.strongest_type.value,
                    "depth": a.depth, "minutes": a.minutes} for a in cat])
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
    for key in ("id", "practice", "relationships", "depth", "minutes", "cost", "energy",
                "setting", "remote", "contact", "accessible", "novelty", "tags"):
        value = record[key]
        click.echo(f"{key:>13}: {', '.join(map(str, value)) if isinstance(value, list) else value}")
    weights = ", ".join(f"{t} {w:.1f}" for t, w in sorted(record["intimacy"].items(),
                                                          key=lambda kv: -kv[1]))
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
        _json_out([{"what": r.what, "count": r.count, "minimum": r.minimum, "met": r.met}
                   for r in rows])
        return
    width = max(len(r.what) for r in rows)
    click.echo(f"{'what':<{width}}  {'count':>5}  {'min':>5}")
    for r in rows:
        mark = "" if r.met else "  << under minimum"
        click.echo(f"{r.what:<{width}}  {r.count:>5}  {r.minimum:>5}{mark}")
    short = sum(not r.met for r in rows)
    click.echo(f"\n{len(rows) - short} of {len(rows)} minimums met")


SCHEMA_NAMES = ("profile", "activity", "context", "catalog", "suggestion")


@main.command()
@click.argument("name", type=click.Choice(SCHEMA_NAMES))
def schema(name: str) -> None:
    """Print the JSON Schema of a profile, activity, context or catalogue."""
    _json_out(rc.json_schema(name))


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
