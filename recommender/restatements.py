"""Find catalogue items that restate another item's idea.

A restated idea is rarely a copy: the twin is reworded for another type file,
so word overlap between two descriptions stays low (the duplicates merged in
the content review of issue 16 share as little as 3% of their weighted words
while distinct items share up to 30%). Three checks are combined:

* **the same idea in both titles**: :data:`IDEAS` names the ideas the bundled
  catalogue holds once (a grave visit, an apology, a time capsule ...), each
  with the words a title uses for it;
* **shared wording** over everything an item says (title, description, steps
  and prompts, TF-IDF with light stemming and word pairs);
* **shared sentences**: two or more steps or prompts of one item that are
  near copies of sentences in the other.

The thresholds were tuned on the merged clusters: ``tests/fixtures/
merged-duplicates.yaml`` keeps their old texts, every pair inside a cluster is
flagged, and nothing in the bundled catalogue is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise

import numpy as np

from .schema import Activity

__all__ = ["IDEAS", "RestatedPair", "restated_pairs"]

#: Ideas the bundled catalogue holds once, with the words a title uses for each.
IDEAS: dict[str, str] = {
    "the place you first met": r"\b(first met|where you met|first outing)\b",
    "a walking one-to-one": r"\bone-to-one\b",
    "an apology": r"\bapologi[sz]e\b|\bapology\b",
    "a regret": r"\bregret",
    "care at the end of life": (
        r"\b(final days|end of life|cared for if you fell|could not decide for yourself)\b"
    ),
    "planting a tree": r"\bplant (a tree|something)\b",
    "closing a hard chapter": (
        r"\b(close|mark) a hard (chapter|ending|year)\b|\bhard year you came\b"
        r"|\bseason you got through\b"
    ),
    "a place tied to a hard time": r"\bplace (tied|linked) to a (hard|painful)\b",
    "good news": r"\bgood news\b",
    "a grave or memorial": r"\b(grave|memorial)\b",
    "beliefs about death": r"\b(about death|when we die)\b",
    "a dance routine": r"\bdance routine\b",
    "a canoe": r"\b(canoe|kayak)\b",
    "an older relative's recipe": r"\b(relative's signature dish|family recipe)\b",
    "a letter or capsule to open years later": r"\b(time capsule|to open in \w+ years)\b",
    "an escape room": r"\bescape room\b",
    "a sunset": r"\bsun ?set\b",
    "the streets you grew up in": r"\b(where you grew up|old neighbourhoods?)\b",
    "questions on a walk": r"\b(questions? on a \w* ?walk|walk a loop while trading questions)\b",
    "a walk together on a call": r"\bwalk\w*\b.*\b(on a (phone )?call|at the same time)\b",
    "playing catch": r"\bplay catch\b",
    "a charity run": r"\b(charity (fun )?(run|walk)|five-kilometre run)\b",
    "a hike to a viewpoint": r"\bto a viewpoint\b",
    "a community garden workday": r"\b(community garden|volunteer outdoors|park clean-up)\b",
    "a food bank shift": r"\b(food bank|community kitchen)\b",
    "a thank-you note": r"\b(thank-you note|note of appreciation)\b",
    "the good things of a day": r"\b(small wins|good things from your day)\b",
    "what you miss and grieve": r"\b(talk about someone( or something)? you miss|losses you)\b",
    "where feelings show in the body": r"\bshows? up in your bod(y|ies)\b",
}
_IDEA_PATTERNS = {name: re.compile(words, re.IGNORECASE) for name, words in IDEAS.items()}

#: Cosine over all of an item's words above which two items say the same thing.
WORDING_LIMIT = 0.45
#: Cosine above which two single sentences (steps, prompts) are near copies.
SENTENCE_LIMIT = 0.8
#: Past this many items the pairwise checks are skipped (they grow with n squared).
MAX_ITEMS = 5000

_STOP = frozenset(
    "a an and are as at be but by can do each for from has have how if in into is it its "
    "of on one or other so than that the their them then there they this to up was what "
    "when where which who why will with you your yours".split()
)


@dataclass(frozen=True)
class RestatedPair:
    """Two items that restate one idea, and why they were flagged."""

    first: str
    second: str
    reason: str


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _words(text: str) -> list[str]:
    words = [_stem(w) for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOP]
    return words + [f"{a}_{b}" for a, b in pairwise(words)]


def _cosines(texts: Sequence[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(analyzer=_words, sublinear_tf=True).fit_transform(texts)
    cosines = np.asarray((matrix @ matrix.T).todense())
    np.fill_diagonal(cosines, 0.0)
    return cosines


def _ideas(title: str) -> frozenset[str]:
    return frozenset(name for name, pattern in _IDEA_PATTERNS.items() if pattern.search(title))


def _shared_sentences(items: Sequence[Activity]) -> set[tuple[int, int]]:
    owners = [i for i, a in enumerate(items) for _ in (*a.steps, *a.prompts)]
    sentences = [s for a in items for s in (*a.steps, *a.prompts)]
    if len(sentences) < 2:
        return set()
    close = np.argwhere(np.triu(_cosines(sentences) > SENTENCE_LIMIT))
    counts: dict[tuple[int, int], int] = {}
    for x, y in close:
        pair = (min(owners[x], owners[y]), max(owners[x], owners[y]))
        if pair[0] != pair[1]:
            counts[pair] = counts.get(pair, 0) + 1
    return {pair for pair, n in counts.items() if n >= 2}


def restated_pairs(activities: Iterable[Activity]) -> list[RestatedPair] | None:
    """Pairs of items that restate one idea (``None`` past :data:`MAX_ITEMS` items).

    Examples
    --------
    >>> from recommender import default_catalog
    >>> restated_pairs(default_catalog())
    []
    """
    items = list(activities)
    if len(items) > MAX_ITEMS:
        return None
    if len(items) < 2:
        return []
    texts = [" ".join([a.title, a.description, *a.steps, *a.prompts]) for a in items]
    wording = _cosines(texts)
    sentences = _shared_sentences(items)
    ideas = [_ideas(a.title) for a in items]
    found = []
    for i, j in combinations(range(len(items)), 2):
        shared = ideas[i] & ideas[j]
        if shared:
            reason = f"both titles name {sorted(shared)[0]}"
        elif wording[i, j] > WORDING_LIMIT:
            reason = f"wording {wording[i, j]:.2f} alike"
        elif (i, j) in sentences:
            reason = "two or more steps or prompts alike"
        else:
            continue
        found.append(RestatedPair(items[i].id, items[j].id, reason))
    return found
