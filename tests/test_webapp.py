"""The example web service (examples/webapp): the public models as its contract, concurrent use."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

import recommender as rc

REPO = Path(__file__).resolve().parent.parent


def load_webapp() -> Any:
    spec = importlib.util.spec_from_file_location("closer_webapp", REPO / "examples/webapp/app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def webapp() -> Any:
    return load_webapp()


@pytest.fixture
def app(webapp: Any, tmp_path: Path) -> Any:
    return webapp.create_app(history_path=tmp_path / "history.sqlite3")


ANA = {"name": "Ana", "intimacy": {"emotional": 0.9}, "interests": ["cooking"]}
BEN = {"name": "Ben", "intimacy": {"intellectual": 0.8}, "max_depth": 2}


async def post(app: Any, *requests: tuple[str, dict[str, Any]]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://closer.test") as client:
        return list(await asyncio.gather(*(client.post(url, json=body) for url, body in requests)))


async def get(app: Any, url: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://closer.test") as client:
        return await client.get(url)


def test_suggest_returns_what_the_library_returns(app: Any) -> None:
    (response,) = asyncio.run(post(app, ("/suggest", {"a": ANA, "b": BEN, "k": 3})))
    assert response.status_code == 200
    served = [rc.Suggestion.model_validate(s) for s in response.json()]
    model = rc.Recommender().fit(rc.default_catalog())
    expected = model.recommend(rc.PersonProfile(**ANA), rc.PersonProfile(**BEN), k=3)
    assert [s.activity.id for s in served] == [s.activity.id for s in expected]
    assert [s.scores for s in served] == [s.scores for s in expected]


def test_ask_and_plan_respect_both_limits(app: Any) -> None:
    ask, plan = asyncio.run(
        post(app, ("/ask", {"a": ANA, "b": BEN, "n": 6}), ("/plan", {"a": ANA, "b": BEN}))
    )
    assert ask.status_code == plan.status_code == 200
    prompts = [rc.Prompt.model_validate(p) for p in ask.json()]
    weeks = [rc.PlanWeek.model_validate(w) for w in plan.json()]
    assert prompts and all(p.depth <= 2 for p in prompts)
    assert [w.week for w in weeks] == [1, 2, 3, 4]
    assert all(w.activity.activity.depth <= 2 for w in weeks)


def test_done_records_and_the_next_suggestion_leaves_it_out(app: Any) -> None:
    (first,) = asyncio.run(post(app, ("/suggest", {"a": ANA, "b": BEN, "k": 1})))
    top = first.json()[0]["activity"]["id"]
    done_body = {"pair": "ana-ben", "activity_id": top, "ratings": {"ana": 5, "ben": 4}}
    (done,) = asyncio.run(post(app, ("/done", done_body)))
    assert done.status_code == 201
    assert done.json()["ratings"] == {"ana": 5, "ben": 4}
    (again,) = asyncio.run(post(app, ("/suggest", {"a": ANA, "b": BEN, "k": 5})))
    assert top not in [s["activity"]["id"] for s in again.json()]


def test_bad_input_is_a_422_naming_the_field(app: Any) -> None:
    bad_depth = {"a": {**ANA, "max_depth": 9}, "b": BEN}
    unknown = {"pair": "ana-ben", "activity_id": "no-such-thing", "ratings": {"ana": 5}}
    depth, missing = asyncio.run(post(app, ("/suggest", bad_depth), ("/done", unknown)))
    assert depth.status_code == 422
    assert "max_depth" in depth.text
    assert missing.status_code == 404


def test_concurrent_requests_get_the_same_answers_as_one_at_a_time(app: Any) -> None:
    people = [
        (
            {"name": f"A{i}", "intimacy": {"physical": i / 10}},
            {"name": f"B{i}", "max_depth": 1 + i % 5},
        )
        for i in range(10)
    ]
    requests = [("/suggest", {"a": a, "b": b, "k": 5}) for a, b in people] * 4
    alone = [asyncio.run(post(app, request))[0].json() for request in requests[:10]]
    together = asyncio.run(post(app, *requests))
    assert all(r.status_code == 200 for r in together)
    assert [r.json() for r in together] == alone * 4


def test_the_openapi_document_uses_the_librarys_models(app: Any) -> None:
    schema = asyncio.run(get(app, "/openapi.json"))
    components = schema.json()["components"]["schemas"]
    assert {"PersonProfile", "PairContext", "Suggestion", "Prompt", "PlanWeek"} <= set(components)
