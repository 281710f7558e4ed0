"""The evaluation's fixed names (no imports: the ``closer`` command reads them at start)."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["FAMILY_NAMES", "METRIC_NAMES", "FamilyName", "MetricName"]

FamilyName = Literal[
    "similar",
    "divergent",
    "asymmetric",
    "tight_limits",
    "remote",
    "colleagues",
    "parent_child",
    "all",
]
MetricName = Literal[
    "ndcg", "min_ndcg", "jain", "envy", "ild", "coverage", "violations", "cumulative_jain"
]

#: The pair families, in the order tables show them ("all": the feedback rounds).
FAMILY_NAMES: tuple[str, ...] = get_args(FamilyName)[:-1]
#: Metrics of a one-off list; ``cumulative_jain`` only appears in rounds.
METRIC_NAMES: tuple[str, ...] = get_args(MetricName)[:-1]
