"""The bundled catalogue: coverage minimums, writing quality and content rules."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import recommender as rc
from recommender.coverage import coverage

CATALOG_README = Path(rc.default_catalog_path()) / "README.md"

# Words that start a title but are not verbs: a title must say what to do.
NOT_VERBS = {
    "a",
    "an",
    "the",
    "your",
    "our",
    "my",
    "this",
    "that",
    "one",
    "two",
    "some",
    "weekly",
    "daily",
    "morning",
    "evening",
    "night",
    "new",
    "quiet",
    "shared",
    "family",
    "how",
    "why",
    "what",
    "when",
    "it",
    "we",
    "you",
}
SEXUAL_WORDS = re.compile(
    r"\b(sex|sexual|sexy|sensual|erotic|naked|nude|undress\w*|aroused?|"
    r"foreplay|kiss\w*|make out|lingerie|seduc\w*|striptease)\b",
    re.I,
)


def tag_vocabulary() -> set[str]:
    """The tags catalog/README.md documents (every comma-separated word under its headings)."""
    text = CATALOG_README.read_text(encoding="utf-8").split("## Tag vocabulary", 1)[1]
    text = text.split("## Contributing", 1)[0]
    words = re.findall(r"(?m)^(?::\s+|\s{2})(.+)$", text)
    vocabulary = set()
    for line in words:
        for part in line.split(","):
            word = part.strip().split(" ")[0]
            if re.fullmatch(r"[a-z][a-z-]+", word):
                vocabulary.add(word)
    return vocabulary


def test_every_coverage_minimum_is_met(bundled):
    short = [f"{r.what}: {r.count} < {r.minimum}" for r in coverage(bundled) if not r.met]
    assert short == []


def test_titles_are_unique_and_start_with_a_verb(bundled):
    titles = Counter(a.title for a in bundled)
    assert [t for t, n in titles.items() if n > 1] == []
    for a in bundled:
        first = a.title.split()[0]
        assert first[0].isupper(), a.id
        assert first.lower() not in NOT_VERBS, f"{a.id}: title starts with {first!r}"


def test_descriptions_are_concrete_and_between_15_and_80_words(bundled):
    lengths = {a.id: len(a.description.split()) for a in bundled}
    assert {i: n for i, n in lengths.items() if not 15 <= n <= 80} == {}


def test_no_two_descriptions_are_near_duplicates(bundled):
    from sklearn.feature_extraction.text import TfidfVectorizer

    acts = list(bundled)
    matrix = TfidfVectorizer(stop_words="english").fit_transform([a.description for a in acts])
    similarity = (matrix @ matrix.T).toarray()
    np.fill_diagonal(similarity, 0.0)
    i, j = np.nonzero(np.triu(similarity > 0.8))
    assert [(acts[x].id, acts[y].id) for x, y in zip(i, j)] == []


def test_prompts_are_questions_and_never_repeat(bundled):
    prompts = [p for a in bundled for p in a.prompts]
    repeated = [p for p, n in Counter(p.lower() for p in prompts).items() if n > 1]
    assert repeated == []
    assert all(p.rstrip().endswith("?") for p in prompts)


def test_tags_come_from_the_documented_vocabulary(bundled):
    vocabulary = tag_vocabulary()
    assert len(vocabulary) > 50
    unknown = {t for a in bundled for t in a.tags} - vocabulary
    assert unknown == set()


def test_intimacy_weights_are_graded_not_all_full(bundled):
    weights = [w for a in bundled for w in a.intimacy.values()]
    assert sum(w == 1.0 for w in weights) / len(weights) < 0.1
    assert len({round(w, 1) for w in weights}) >= 5


def test_nothing_is_sexual(bundled):
    for a in bundled:
        text = " ".join([a.title, a.description, *a.steps, *a.prompts])
        assert not SEXUAL_WORDS.search(text), a.id


def test_touch_beyond_casual_is_for_romantic_pairs_only(bundled):
    for a in bundled:
        if a.contact is rc.Contact.affectionate:
            assert a.relationships == {rc.Relationship.romantic}
        if rc.Relationship.colleagues in a.relationships:
            assert a.contact is rc.Contact.none and a.depth <= 3


def test_support_items_say_closer_is_not_therapy_and_work_anywhere(bundled):
    support = [a for a in bundled if a.practice is rc.Practice.support]
    assert len(support) >= 15
    for a in support:
        text = " ".join([a.description, *a.steps]).lower()
        assert "closer is not" in text, a.id
        assert not re.search(r"\b\d{3}[- ]?\d{3,4}\b", text), f"{a.id}: a phone number"
        assert "http" not in text


@pytest.mark.parametrize(
    "need",
    [
        "couples-therapy",
        "family-therapy",
        "counselling",
        "support-group",
        "crisis",
        "domestic-violence",
    ],
)
def test_support_covers_each_kind_of_help(bundled, need):
    assert any(need in a.tags for a in bundled if a.practice is rc.Practice.support)


def test_individual_help_never_suggests_joint_sessions(bundled):
    for a in bundled:
        if "individual" in a.tags:
            assert not {"couples-therapy", "family-therapy"} & set(a.tags), a.id
            assert a.relationships == set(rc.Relationship), a.id


def test_light_items_matter_as_much_as_deep_ones(bundled):
    depths = Counter(a.depth for a in bundled)
    assert depths[1] + depths[2] >= depths[4] + depths[5]
