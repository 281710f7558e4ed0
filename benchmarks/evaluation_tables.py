"""The README's Evaluation tables, from the records of one ``closer evaluate --json`` run.

    closer evaluate --json --plot docs/evaluation.png > evaluation.json
    python benchmarks/evaluation_tables.py evaluation.json

Prints Markdown: the default-strategy decision, the default against the
baselines per family, one table per family (every ranker, k = 10, with the
bootstrap intervals) and the feedback rounds' learning curve.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from recommender.evaluation.harness import BASELINES, choose_default, strategy_defaults
from recommender.evaluation.names import FAMILY_NAMES
from recommender.evaluation.report import EvaluationRecord, markdown_table

TABLE_METRICS = ("ndcg", "min_ndcg", "jain", "envy", "ild", "coverage")
CURVE_METRICS = ("ndcg", "min_ndcg", "jain", "cumulative_jain")


def cell(r: EvaluationRecord) -> str:
    return f"{r.value:.3f} [{r.low:.3f}, {r.high:.3f}]"


def decision(records: Sequence[EvaluationRecord]) -> str:
    choice = choose_default(records)
    lines = [
        "| strategy (as `Recommender(strategy=...)` runs it) | worse-off nDCG@10, mean of"
        " families | nDCG@10, mean of families | within 2% of the best nDCG |",
        "|---|---|---|---|",
    ]
    for name in sorted(choice.min_ndcg, key=lambda n: -choice.min_ndcg[n]):
        mark = "yes" if name in choice.eligible else "no"
        shown = f"**{name}**" if name == choice.chosen else name
        lines.append(
            f"| {shown} | {choice.min_ndcg[name]:.4f} | {choice.ndcg[name]:.4f} | {mark} |"
        )
    return "\n".join(lines)


def against_baselines(records: Sequence[EvaluationRecord]) -> str:
    default = next(r.ranker for r in records if r.default)
    lines = [
        f"| family | {default} (default) | " + " | ".join(BASELINES) + " | default ahead of all? |",
        "|---|---|" + "---|" * len(BASELINES) + "---|",
    ]
    for family in FAMILY_NAMES:
        got = {
            r.ranker: r
            for r in records
            if r.family == family and r.k == 10 and r.metric == "min_ndcg" and r.round is None
        }
        if default not in got:
            continue
        ahead = all(got[default].value > got[b].value for b in BASELINES)
        row = [family, cell(got[default]), *(cell(got[b]) for b in BASELINES)]
        lines.append("| " + " | ".join(row) + f" | {'yes' if ahead else 'no'} |")
    return "\n".join(lines)


def learning_curve(records: Sequence[EvaluationRecord]) -> str:
    default = next(r.ranker for r in records if r.default)
    rounds = sorted({r.round for r in records if r.round is not None})
    lines = ["| round | " + " | ".join(f"{m}@10" for m in CURVE_METRICS) + " |"]
    lines.append("|---|" + "---|" * len(CURVE_METRICS))
    for week in rounds:
        got = {r.metric: r for r in records if r.round == week and r.ranker == default}
        lines.append(f"| {week} | " + " | ".join(cell(got[m]) for m in CURVE_METRICS) + " |")
    return "\n".join(lines)


def first_and_last_round(records: Sequence[EvaluationRecord]) -> str:
    rounds = sorted({r.round for r in records if r.round is not None})
    if not rounds:
        return ""
    first, last = rounds[0], rounds[-1]
    lines = [
        f"| strategy | min_ndcg@10 round {first} | min_ndcg@10 round {last} |"
        f" cumulative_jain round {last} |",
        "|---|---|---|---|",
    ]
    for name in strategy_defaults():
        got = {(r.round, r.metric): r for r in records if r.ranker == name and r.round}
        lines.append(
            f"| {name} | {cell(got[first, 'min_ndcg'])} | {cell(got[last, 'min_ndcg'])} |"
            f" {cell(got[last, 'cumulative_jain'])} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", help="the JSON that closer evaluate --json printed")
    args = parser.parse_args()
    with open(args.records) as handle:
        records = [EvaluationRecord.model_validate(r) for r in json.load(handle)]
    print("### Default strategy\n\n" + decision(records))
    print("\n### Worse-off nDCG@10: the default against the baselines\n")
    print(against_baselines(records))
    for family in FAMILY_NAMES:
        if any(r.family == family for r in records):
            print(f"\n#### {family}\n\n" + markdown_table(records, family, TABLE_METRICS, 10))
    print("\n### Feedback rounds (the default)\n\n" + learning_curve(records))
    print("\n" + first_and_last_round(records))


if __name__ == "__main__":
    main()
