"""``closer batch``: suggestions for every pair in a file, on a Dask cluster.

A thin layer over :func:`recommender.distributed.write_batch`: parse the
options, start (or connect to) a cluster, show progress on stderr, write the
failed rows beside the output and say how many there were. The exit code says
whether any row failed: 0 none, 1 some (their count on stderr), 2 bad input
or usage for the whole job.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

import recommender as rc
from recommender.cli.app import main
from recommender.cli.options import catalog_option, date_option, path_option
from recommender.cli.render import progress_bar
from recommender.model import DEFAULT_STRATEGY

EXIT_ROWS_FAILED = 1


@contextlib.contextmanager
def _cluster_client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a LocalCluster of ``workers`` processes."""
    from recommender.distributed import _require_dask, local_cluster

    _require_dask()
    from distributed import Client

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="30s")  # type: ignore[no-untyped-call]
        except OSError as exc:
            raise click.UsageError(f"cannot reach the scheduler at {scheduler}: {exc}") from None
        with client:
            yield client
        return
    with local_cluster(workers) as cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client


def _model(model_path: Path | None, catalog_path: Path | None, strategy: str | None) -> Any:
    if model_path is not None:
        return model_path
    from recommender.cache import fitted

    return fitted(catalog_path, strategy=strategy or DEFAULT_STRATEGY)


@click.command("batch")
@click.argument("pairs", metavar="PAIRS")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=True),
    help="The Parquet output (a folder of part files, replaced whole).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="A running Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 1024),
    default=None,
    help="Processes of the local cluster (default: one per core).",
)
@click.option(
    "-k", "k", type=click.IntRange(1, 50), default=10, show_default=True, help="Suggestions a pair."
)
@click.option(
    "--strategy",
    type=click.Choice(rc.STRATEGIES),
    default=None,
    help="How the two people's fits combine (default: the default strategy, or the saved model's).",
)
@catalog_option
@path_option(
    "--model",
    "model_path",
    help="A model saved with Recommender.save, on storage every worker reads.",
)
@path_option(
    "--history",
    "history_path",
    help="A history database every worker reads (read-only); with {stem} in it, one per "
    "input file (hist/{stem}.sqlite3).",
)
@date_option("--today", help="Read histories as of this day (default: today).")
@click.option(
    "--partition-size",
    type=click.IntRange(1, 1_000_000),
    default=2_048,
    show_default=True,
    help="Pairs per task (the last tasks get fewer, so the workers finish together).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on stderr (default: when stderr is a terminal).",
)
def batch(
    pairs: str,
    out: Path,
    scheduler: str | None,
    workers: int | None,
    k: int,
    strategy: str | None,
    catalog_path: Path | None,
    model_path: Path | None,
    history_path: Path | None,
    today: dt.datetime | None,
    partition_size: int,
    progress: bool | None,
) -> None:
    """Suggest activities for every pair in PAIRS (JSON Lines or Parquet; a glob is fine).

    \b
    Example:
      closer batch pairs.jsonl --out suggestions.parquet --workers 2 -k 10
      closer batch 'pairs/*.parquet' --out out.parquet --scheduler tcp://10.0.0.5:8786
    """
    from recommender.distributed import errors_path, write_batch, write_errors

    if scheduler is not None and workers is not None:
        raise click.UsageError("give --scheduler or --workers, not both")
    model = _model(model_path, catalog_path, strategy)
    shown = sys.stderr.isatty() if progress is None else progress
    with (
        _cluster_client(scheduler, workers or os.cpu_count() or 1) as client,
        progress_bar(shown, "blocks") as update,
    ):
        summary = write_batch(
            model,
            pairs,
            out,
            client=client,
            k=k,
            strategy=strategy,
            partition_size=partition_size,
            history=history_path,
            today=today.date() if today else None,
            progress=update,
        )
    failed = write_errors(summary.errors, errors_path(out))
    empty = f"; nothing fits for {summary.empty}" if summary.empty else ""
    click.echo(
        f"Wrote {summary.suggestions} suggestions for {summary.pairs} pairs to {out}{empty}."
    )
    if summary.errors:
        click.echo(
            f"closer: {len(summary.errors)} of {summary.rows} rows failed; "
            f"row numbers and reasons in {failed}",
            err=True,
        )
        sys.exit(EXIT_ROWS_FAILED)


main.add_command(batch)
