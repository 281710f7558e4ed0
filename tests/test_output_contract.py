"""One output contract: each --json document is a public model's dump and fits its schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from recommender.cli import main
from recommender.output import generated_schema, schema_names, shipped_schema

ROOT = Path(__file__).resolve().parent.parent
ANA, BEN = str(ROOT / "examples" / "ana.yaml"), str(ROOT / "examples" / "ben.yaml")


def run_json(*args: str) -> Any:
    result = CliRunner().invoke(main, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def fits(document: Any, name: str) -> None:
    schema = shipped_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(document)


@pytest.mark.parametrize("name", schema_names())
def test_the_shipped_schema_is_what_the_models_generate(name: str) -> None:
    # After changing a model: python -m recommender.output, then commit recommender/schemas/.
    assert shipped_schema(name) == generated_schema(name)


@pytest.mark.parametrize("name", schema_names())
def test_closer_schema_prints_the_shipped_schema(name: str) -> None:
    result = CliRunner().invoke(main, ["schema", name], catch_exceptions=False)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == shipped_schema(name)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("suggest", ("suggest", ANA, BEN, "-k", "3")),
        ("ask", ("ask", ANA, BEN, "-n", "4")),
        ("plan", ("plan", ANA, BEN, "--weeks", "2")),
        ("catalog-list", ("catalog", "list")),
        ("profile-show", ("profile", "show", ANA)),
    ],
)
def test_real_command_output_fits_its_shipped_schema(name: str, args: tuple[str, ...]) -> None:
    fits(run_json(*args), name)


@pytest.mark.parametrize(
    "args",
    [
        ("suggest", ANA, "--safety-concern"),
        ("ask", ANA, BEN, "--safety-concern"),
        ("plan", ANA, BEN, "--weeks", "2", "--safety-concern"),
        ("help-now",),
    ],
)
def test_support_output_fits_the_support_schema(args: tuple[str, ...]) -> None:
    records = run_json(*args)
    assert records and all(r["practice"] == "support" for r in records)
    fits(records, "support")


def test_evaluate_output_fits_its_shipped_schema() -> None:
    records = run_json(
        "evaluate", "--families", "similar", "--pairs", "4", "--rounds", "0", "--resamples", "10"
    )
    assert {r["metric"] for r in records} >= {"ndcg", "min_ndcg", "violations"}
    fits(records, "evaluate")


def test_catalog_show_output_fits_the_activity_schema() -> None:
    first = run_json("catalog", "list")[0]["id"]
    fits(run_json("catalog", "show", first), "catalog-show")


def test_history_output_fits_its_shipped_schema(tmp_path: Path) -> None:
    history = str(tmp_path / "history.sqlite3")
    activity = run_json("suggest", ANA, BEN, "-k", "1")[0]["id"]
    runner = CliRunner()
    done = runner.invoke(
        main, ["done", activity, "--pair", "ana-ben", "--ratings", "5", "4", "--history", history]
    )
    assert done.exit_code == 0, done.output
    entries = run_json("history", "--pair", "ana-ben", "--history", history)
    assert [e["id"] for e in entries] == [activity]
    fits(entries, "history")


def test_a_schema_rejects_output_it_does_not_describe() -> None:
    # The check above can fail: a record with a wrong type or a stray field is refused.
    record = run_json("suggest", ANA, BEN, "-k", "1")
    with pytest.raises(jsonschema.ValidationError):
        fits([{**record[0], "score": "high"}], "suggest")
    with pytest.raises(jsonschema.ValidationError):
        fits([{**record[0], "surprise": 1}], "suggest")
