"""``closer evaluate``: the pair-evaluation benchmark, as a command.

A thin layer over :func:`recommender.evaluation.harness.evaluate`: parse the
options, run with a progress bar on stderr (on a terminal, or with
``--progress``), then print a table per family (rich on a terminal, Markdown
otherwise), or ``--json``, and draw ``--plot``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from recommender.cli.app import main
from recommender.cli.render import _console, progress_bar
from recommender.evaluation.names import FAMILY_NAMES, METRIC_NAMES

if TYPE_CHECKING:  # the harness (numpy, pydantic) loads only when the command runs
    from recommender.evaluation.harness import Evaluation
    from recommender.evaluation.report import EvaluationRecord

__all__ = ["evaluate_command"]

#: The metrics the tables show, at k = 10 (the JSON holds k = 5 too).
SHOWN = METRIC_NAMES


def _render_tables(records: Sequence[EvaluationRecord], families: Sequence[str]) -> None:
    from recommender.evaluation.report import markdown_table, table_rows

    console = _console()
    if console is not None:
        from rich.table import Table

        for family in families:
            table = Table(title=f"{family} (k = 10, mean [95% interval])")
            for column in ("ranker", *SHOWN):
                table.add_column(column)
            for row in table_rows(records, family, SHOWN, 10):
                table.add_row(*row)
            console.print(table)
        return
    for family in families:
        click.echo(f"\n{family} (k = 10, mean [95% interval])\n")
        click.echo(markdown_table(records, family, SHOWN, 10))


def _render_choice(run: Evaluation) -> None:
    choice = run.choice
    if choice is None:
        return
    click.echo(
        "\nworse-off nDCG@10 averaged over families (mean nDCG@10 within 2% of the best: "
        + ", ".join(choice.eligible)
        + ")"
    )
    for name in sorted(choice.min_ndcg, key=lambda n: -choice.min_ndcg[n]):
        click.echo(f"  {name:<24} {choice.min_ndcg[name]:.3f}  (nDCG {choice.ndcg[name]:.3f})")
    verdict = "keeps" if choice.chosen == choice.current else "would change"
    click.echo(f"evidence picks {choice.chosen}; the default ({choice.current}) {verdict}")
    if run.margins:
        click.echo(
            f"\n{choice.current} minus each baseline, worse-off nDCG@10 "
            "(paired bootstrap 95% interval: the same pairs in every resample)\n"
        )
        click.echo("| family | baseline | margin | 95% interval |\n|---|---|---|---|")
        for m in run.margins:
            click.echo(
                f"| {m.family} | {m.baseline} | {m.value:+.3f} | [{m.low:+.3f}, {m.high:+.3f}] |"
            )


@click.command("evaluate")
@click.option(
    "--families",
    "families",
    type=click.Choice(FAMILY_NAMES),
    multiple=True,
    help="Pair families to run (repeatable; default: all).",
)
@click.option("--pairs", type=click.IntRange(2, 100_000), default=300, show_default=True,
              help="Pairs per family.")  # fmt: skip
@click.option("--rounds", type=click.IntRange(0, 52), default=10, show_default=True,
              help="Feedback rounds (0: none).")  # fmt: skip
@click.option("--round-pairs", type=click.IntRange(1, 100_000), default=100, show_default=True,
              help="Pairs in the feedback rounds.")  # fmt: skip
@click.option("--resamples", type=click.IntRange(10, 100_000), default=1000, show_default=True,
              help="Bootstrap resamples per figure.")  # fmt: skip
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True,
              help="Seed of the pairs, the random baseline and the bootstrap.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON.")
@click.option("--plot", "plot_path", type=click.Path(path_type=Path), default=None,
              help="Write a figure (PNG): metrics by ranker, one panel per family.")  # fmt: skip
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar on stderr (default: on a terminal).")  # fmt: skip
def evaluate_command(
    families: tuple[str, ...],
    pairs: int,
    rounds: int,
    round_pairs: int,
    resamples: int,
    seed: int,
    as_json: bool,
    plot_path: Path | None,
    progress: bool | None,
) -> None:
    """Measure every strategy and three baselines on simulated pairs.

    Each simulated person has a hidden true utility; closer sees only the
    noisy profile they would write. Figures carry bootstrap 95% intervals.

    \b
    Example:
      closer evaluate --families divergent --pairs 100 --rounds 0
    """
    from recommender.evaluation.harness import EvaluationConfig, evaluate

    config = EvaluationConfig(
        families=families or FAMILY_NAMES,
        pairs=pairs, rounds=rounds, round_pairs=round_pairs, resamples=resamples, seed=seed,
    )  # fmt: skip
    show_bar = sys.stderr.isatty() if progress is None else progress
    started = time.perf_counter()
    with progress_bar(show_bar, "evaluating") as advance:
        run = evaluate(config, progress=advance)
    seconds = time.perf_counter() - started
    if plot_path is not None:
        from recommender.evaluation.plot import plot_records

        plot_path = plot_records(run.records, plot_path)
    if as_json:
        records = [r.model_dump(mode="json") for r in run.records]
        click.echo(json.dumps(records, indent=1))
        return
    _render_tables(run.records, config.families)
    _render_choice(run)
    click.echo(f"\n{len(run.records)} records in {seconds:.0f} s", err=True)
    if plot_path is not None:
        click.echo(f"figure written to {plot_path}", err=True)


main.add_command(evaluate_command)
