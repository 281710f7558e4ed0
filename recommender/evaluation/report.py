"""The evaluation's results: :class:`EvaluationRecord`, and tables made of them.

``closer evaluate --json`` prints a list of these records; the JSON Schema of
the list is :func:`records_schema`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from .names import FAMILY_NAMES, METRIC_NAMES, FamilyName, MetricName

__all__ = [
    "FAMILY_NAMES",
    "METRIC_NAMES",
    "EvaluationRecord",
    "FamilyName",
    "MetricName",
    "markdown_table",
    "measured",
    "records_schema",
    "table_rows",
]


class EvaluationRecord(BaseModel):
    """One measured figure with its bootstrap 95% interval.

    Examples
    --------
    >>> r = EvaluationRecord(family="similar", ranker="fair+rerank", metric="min_ndcg",
    ...                      k=10, value=0.8, low=0.78, high=0.82, default=True)
    >>> r.model_dump()["default"], r.round is None
    (True, True)
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    family: FamilyName
    """The pair family; ``all`` for the feedback rounds (pairs from every family)."""
    ranker: str = Field(min_length=1)
    """A closer strategy (``+rerank`` where the fairness re-ranker is on), or a
    baseline: ``random``, ``popular``, ``tfidf``."""
    metric: MetricName
    """What was measured (see the README's Evaluation section)."""
    k: int = Field(ge=1)
    """Length of the list measured."""
    value: float
    """The mean over pairs (coverage and violations: over the family)."""
    low: float
    """Lower end of the bootstrap 95% interval."""
    high: float
    """Upper end of the bootstrap 95% interval."""
    default: bool = False
    """True on the records of closer's default ranker."""
    round: int | None = Field(default=None, ge=1)
    """Feedback round (1-based), or None for a one-off list."""


def measured(
    family: str,
    ranker: str,
    metric: str,
    k: int,
    value: float,
    interval: tuple[float, float],
    round: int | None = None,
) -> EvaluationRecord:
    """A record from the harness's own values (checked names; no re-validation).

    Examples
    --------
    >>> measured("remote", "tfidf", "ndcg", 10, 0.5, (0.4, 0.6)).high
    0.6
    """
    assert family in FAMILY_NAMES or family == "all", family
    assert metric in METRIC_NAMES or metric == "cumulative_jain", metric
    values: dict[str, Any] = {"family": family, "metric": metric}
    return EvaluationRecord.model_construct(
        **values, ranker=ranker, k=k, value=value, low=interval[0], high=interval[1],
        default=False, round=round,
    )  # fmt: skip


def records_schema() -> dict[str, Any]:
    """JSON Schema of ``closer evaluate --json``: a list of :class:`EvaluationRecord`.

    Examples
    --------
    >>> records_schema()["type"]
    'array'
    """
    schema = TypeAdapter(list[EvaluationRecord]).json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def _cell(record: EvaluationRecord) -> str:
    return f"{record.value:.3f} [{record.low:.3f}, {record.high:.3f}]"


def table_rows(
    records: Sequence[EvaluationRecord], family: str, metrics: Sequence[str], k: int
) -> list[list[str]]:
    """One row per ranker of ``family``: its name, then a cell per metric.

    Examples
    --------
    >>> r = EvaluationRecord(family="remote", ranker="tfidf", metric="ndcg", k=10,
    ...                      value=0.5, low=0.4, high=0.6)
    >>> table_rows([r], "remote", ["ndcg"], 10)
    [['tfidf', '0.500 [0.400, 0.600]']]
    """
    cells: dict[str, dict[str, str]] = {}
    for r in records:
        if r.family == family and r.k == k and r.round is None and r.metric in metrics:
            name = f"{r.ranker} (default)" if r.default else r.ranker
            cells.setdefault(name, {})[r.metric] = _cell(r)
    return [[name, *(row.get(m, "") for m in metrics)] for name, row in cells.items()]


def markdown_table(
    records: Sequence[EvaluationRecord], family: str, metrics: Sequence[str], k: int = 10
) -> str:
    """A Markdown table of ``family``'s records at ``k`` (what the README shows)."""
    header = ["ranker", *(f"{m}@{k}" for m in metrics)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(records, family, metrics, k)]
    return "\n".join(lines)
