"""The evaluation's figure: metrics by ranker, one panel per family (matplotlib).

matplotlib is an optional extra (``pip install closer-recommender[plot]``),
imported only here, with the file-only Agg backend.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..errors import ConfigError
from .names import FAMILY_NAMES
from .report import EvaluationRecord

__all__ = ["PLOTTED", "plot_records"]

#: Metrics drawn, at k = 10 (all on a 0..1 scale).
PLOTTED = ("ndcg", "min_ndcg", "envy", "ild")


def plot_records(
    records: Sequence[EvaluationRecord], path: str | os.PathLike[str], k: int = 10
) -> Path:
    """Draw ``records`` at ``k``: per family, a bar per ranker and metric with its interval.

    Raises
    ------
    ConfigError
        matplotlib is not installed, or the file cannot be written.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ConfigError(
            "--plot needs matplotlib: pip install 'closer-recommender[plot]'"
        ) from None
    families = [f for f in FAMILY_NAMES if any(r.family == f for r in records)]
    rankers = list(dict.fromkeys(r.ranker for r in records if r.round is None))
    defaults = {r.ranker for r in records if r.default}
    cells: dict[tuple[str, str, str], EvaluationRecord] = {
        (r.family, r.ranker, r.metric): r
        for r in records
        if r.k == k and r.round is None and r.metric in PLOTTED
    }
    columns = 2
    rows = max(1, (len(families) + columns - 1) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(11, 2.4 * rows), squeeze=False, dpi=72)
    width = 0.8 / len(PLOTTED)
    for panel, family in zip(axes.flat, families, strict=False):
        for m, metric in enumerate(PLOTTED):
            shown = [cells.get((family, name, metric)) for name in rankers]
            xs = [i + (m - len(PLOTTED) / 2 + 0.5) * width for i in range(len(rankers))]
            values = [c.value if c else 0.0 for c in shown]
            errors = [
                [c.value - c.low if c else 0.0 for c in shown],
                [c.high - c.value if c else 0.0 for c in shown],
            ]
            panel.bar(xs, values, width, yerr=errors, label=f"{metric}@{k}", capsize=1)
        panel.set_title(family, fontsize=9)
        panel.set_ylim(0, 1)
        panel.set_xticks(range(len(rankers)))
        labels = panel.set_xticklabels(rankers, rotation=60, ha="right", fontsize=6)
        for label, name in zip(labels, rankers, strict=True):
            if name in defaults:  # closer's default ranker, in bold
                label.set_fontweight("bold")
        panel.tick_params(axis="y", labelsize=7)
    for panel in list(axes.flat)[len(families) :]:
        panel.set_visible(False)
    axes.flat[0].legend(fontsize=6, ncol=len(PLOTTED), loc="lower left")
    figure.tight_layout()
    target = Path(path)
    try:
        figure.savefig(target, format="png")
    except OSError as exc:
        raise ConfigError(f"{target}: cannot write the figure ({exc.strerror})") from None
    finally:
        plt.close(figure)
    return target
