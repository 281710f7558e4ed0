"""`closer catalog ...`: inspect, import and check catalogues."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

import recommender as rc
from recommender.catalog import CATALOG_SUFFIXES
from recommender.cli.app import main
from recommender.cli.options import (
    _activity,
    _catalog,
    catalog_option,
    count_option,
    json_option,
    path_option,
    share_option,
)
from recommender.cli.render import (
    _json_out,
    rich_table,
    say,
    working,
)

if TYPE_CHECKING:
    from recommender.coverage import CoverageRow


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
    rows = [(a.id, a.strongest_type.value, a.title) for a in cat]
    if rich_table((("ID", "cyan"), ("Type", ""), ("Title", "bold")), rows):
        return
    width = max(len(a.id) for a in cat)
    for activity_id, kind, title in rows:
        click.echo(f"{activity_id:<{width}}  {kind:<12}  {title}")


#: Fields `catalog show` prints in a place of their own, not in the list of fields.
SHOWN_APART = frozenset({"title", "description", "intimacy", "steps", "prompts", "aftercare"})


@catalog.command("show")
@click.argument("activity_id")
@catalog_option
@json_option
def catalog_show(activity_id: str, catalog_path: Path | None, as_json: bool) -> None:
    """Show one activity in full."""
    activity = _activity(_catalog(catalog_path), activity_id)
    record = activity.model_dump(mode="json")
    record["relationships"] = sorted(record["relationships"])
    if as_json:
        _json_out(record)
        return
    say(activity.title, "bold")
    say("=" * len(activity.title))
    say(activity.description)
    click.echo("")
    for key, value in record.items():  # every field, in the model's order
        if key not in SHOWN_APART and value is not None:
            text = ", ".join(map(str, value)) if isinstance(value, list) else value
            click.echo(f"{key:>13}: {text}")
    weights = ", ".join(
        f"{t} {w:.1f}" for t, w in sorted(record["intimacy"].items(), key=lambda kv: -kv[1])
    )
    click.echo(f"{'intimacy':>13}: {weights}")
    for title, lines in (("Steps", activity.steps), ("Questions", activity.prompts)):
        if lines:
            click.echo(f"\n{title}:")
            for i, line in enumerate(lines, start=1):
                click.echo(f"  {i}. {line}")
    if activity.aftercare:
        click.echo(f"\nAftercare: {activity.aftercare}")


@catalog.command("stats")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@json_option
def catalog_stats(path: Path | None, as_json: bool) -> None:
    """Print a catalogue's coverage against the bundled catalogue's minimums."""
    from recommender.coverage import coverage

    rows = coverage(_catalog(path))
    if as_json:
        # Rows keep their four keys; a row with an upper bound adds "maximum". Targets are
        # in the text table and on CoverageRow.target, not here.
        _json_out([_json_row(r) for r in rows])
        return
    width = max(len(r.what) for r in rows)
    click.echo(f"{'what':<{width}}  {'count':>5}  {'min':>5}")
    for r in rows:
        mark = ""
        if r.count < r.minimum:
            mark = "  << under minimum"
        elif not r.met:
            mark = f"  << over maximum {r.maximum}"
        click.echo(f"{r.what:<{width}}  {r.count:>5}  {r.minimum:>5}{mark}")
    _echo_targets([r for r in rows if r.target is not None], width)
    short = sum(not r.met for r in rows)
    click.echo(f"\n{len(rows) - short} of {len(rows)} minimums met")


def _json_row(row: CoverageRow) -> dict[str, object]:
    record: dict[str, object] = {
        "what": row.what,
        "count": row.count,
        "minimum": row.minimum,
        "met": row.met,
    }
    if row.maximum is not None:
        record["maximum"] = row.maximum
    return record


def _echo_targets(rows: list[CoverageRow], width: int) -> None:
    """The content targets the bundled catalogue is heading for (reported, not enforced)."""
    click.echo(f"\n{'target':<{width}}  {'count':>5}  {'aim':>5}")
    for r in rows:
        mark = "" if r.count >= (r.target or 0) else "  (not yet)"
        click.echo(f"{r.what:<{width}}  {r.count:>5}  {r.target:>5}{mark}")


# ------------------------------------------------------------------ import

# What `catalog import -o` can write: whatever load_catalog reads back.
IMPORT_FORMATS = CATALOG_SUFFIXES


@catalog.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@path_option(
    "--map",
    "mapping_path",
    required=True,
    help="YAML mapping from the source's fields to activity fields.",
)
@path_option(
    "-o", "--output", required=True, help="Catalogue to write (.yaml, .json, .jsonl or .csv)."
)
@click.option(
    "--infer",
    is_flag=True,
    help="Predict intimacy types, practice and depth the source lacks.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 2) if any row cannot be mapped.")
@share_option(
    "--threshold", default=0.5, help="With --infer: list items under this confidence for review."
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
    with working(f"Importing {source.name}" + (" and inferring types" if infer else "")):
        result = import_catalog(
            source, mapping_path, infer=infer, strict=strict, threshold=threshold
        )
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
@count_option("--folds", low=2, high=20, default=5, help="Cross-validation folds.")
@share_option("--threshold", default=0.5, help="Confidence counted as sure enough.")
@json_option
def catalog_infer_report(
    catalog_path: Path | None, folds: int, threshold: float, as_json: bool
) -> None:
    """How well intimacy types are inferred from words, cross-validated.

    \b
    Example:
      closer catalog infer-report --folds 5
    """

    from recommender.infer import F1_TARGET, infer_report

    with working(f"Cross-validating the type inference ({folds} folds)"):
        report = infer_report(_catalog(catalog_path), folds=folds, threshold=threshold)
    if as_json:
        _json_out(
            {
                **report.model_dump(mode="json"),
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
