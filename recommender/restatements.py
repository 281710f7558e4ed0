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
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise

from .schema import Activity

__all__ = ["IDEAS", "MERGED_INTO", "RestatedPair", "current_id", "restated_pairs"]

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

#: Ids merged away in the content review (issue 16), each to the id that holds its idea now.
#: A history may still name them; :func:`current_id` maps them forward.
MERGED_INTO: dict[str, str] = {
    "revisit-the-place-where-you-met": "return-to-where-you-first-met",
    "recreate-your-first-outing-together": "return-to-where-you-first-met",
    "hold-walking-one-to-one-meetings": "walking-one-to-one-meeting-outside",
    "apologise-then-hug-it-out": "apologise-properly-for-an-old-hurt",
    "share-a-regret-you-have-made-peace-with": "talk-about-a-regret-you-still-carry",
    "hear-the-story-of-a-regretted-decision": "talk-about-a-regret-you-still-carry",
    "talk-through-care-wishes-if-seriously-ill": "talk-through-wishes-for-your-final-days",
    "discuss-values-for-future-care-decisions": "talk-through-wishes-for-your-final-days",
    "plant-a-tree-in-someones-honour": "plant-a-tree-to-visit-yearly",
    "plant-something-for-a-hard-year": "plant-a-tree-to-visit-yearly",
    "create-a-ritual-to-mark-a-hard-ending": "make-something-to-close-a-hard-chapter",
    "make-a-hard-season-memory-box": "make-something-to-close-a-hard-chapter",
    "new-memory-in-a-hard-place": "visit-a-place-from-a-painful-chapter",
    "celebrate-good-news-the-same-day": "celebrate-good-news-with-real-enthusiasm",
    "celebrate-good-news-with-a-physical-cheer": "celebrate-good-news-with-real-enthusiasm",
    "tend-a-loved-ones-grave-together": "visit-a-grave-or-memorial-together",
    "think-through-your-views-on-mortality-together": "share-what-you-believe-about-death",
    "learn-a-dance-routine-apart": "learn-a-dance-routine-from-a-video",
    "paddle-a-canoe-together": "paddle-a-canoe-and-trade-stories",
    "cook-family-recipe-hands-on-with-elder": "cook-a-relatives-signature-dish",
    "write-letters-to-open-in-ten-years": "seal-a-five-year-time-capsule",
    "do-an-escape-room-and-debrief-feelings": "solve-an-escape-room-as-a-team",
    "hold-hands-and-watch-the-sun-set": "watch-the-sunset-and-name-a-feeling",
    "walk-your-old-neighbourhood-together": "tour-the-streets-where-you-grew-up",
    "lunchtime-walk-question-swap": "question-walk-of-rising-depth",
    "synchronised-walk-on-a-phone-call": "walk-your-neighbourhoods-together-on-a-call",
    "play-catch-in-the-park": "play-catch-with-a-question-each-throw",
    "train-together-for-a-first-5k": "charity-fun-run-as-a-team",
    "join-a-charity-walk-together": "charity-fun-run-as-a-team",
    "climb-to-a-viewpoint-and-unload": "hike-up-to-a-viewpoint",
    "fix-up-a-community-space": "volunteer-outdoors-and-talk-it-through",
    "community-garden-volunteer-dig": "volunteer-outdoors-and-talk-it-through",
    "sort-donations-at-a-food-bank": "community-kitchen-shift-and-debrief",
    "leave-appreciation-notes-on-desks": "hide-a-specific-thank-you-note",
    "trade-small-wins-from-the-week": "trade-three-good-things-before-bed",
    "walk-and-name-the-losses-you-carry": "share-memories-of-someone-you-miss",
    "notice-where-feelings-show-in-your-body": "compare-where-stress-shows-in-your-bodies",
}


def current_id(activity_id: str) -> str:
    """The id an activity has now: merged ids map to their survivor, others are unchanged.

    Examples
    --------
    >>> current_id("apologise-then-hug-it-out")
    'apologise-properly-for-an-old-hurt'
    >>> current_id("slow-dance-in-the-kitchen")
    'slow-dance-in-the-kitchen'
    """
    return MERGED_INTO.get(activity_id, activity_id)


#: Cosine over all of an item's words above which two items say the same thing.
WORDING_LIMIT = 0.45
#: Cosine above which two single sentences (steps, prompts) are near copies.
SENTENCE_LIMIT = 0.8
#: Past this many items the checks are skipped (the candidate pairs grow with n squared).
MAX_ITEMS = 3000

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


def _close_pairs(texts: Sequence[str], limit: float) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, cosine)`` with ``i < j`` whose TF-IDF cosine is above ``limit``."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(analyzer=_words, sublinear_tf=True).fit_transform(texts)
    products = (matrix @ matrix.T).tocoo()  # stays sparse: most pairs share no word
    keep = (products.row < products.col) & (products.data > limit)
    return [
        (int(i), int(j), float(c))
        for i, j, c in zip(products.row[keep], products.col[keep], products.data[keep], strict=True)
    ]


def _ideas(title: str) -> frozenset[str]:
    return frozenset(name for name, pattern in _IDEA_PATTERNS.items() if pattern.search(title))


def _shared_sentences(items: Sequence[Activity]) -> set[tuple[int, int]]:
    owners = [i for i, a in enumerate(items) for _ in (*a.steps, *a.prompts)]
    sentences = [s for a in items for s in (*a.steps, *a.prompts)]
    if len(sentences) < 2:
        return set()
    counts: Counter[tuple[int, int]] = Counter()
    for x, y, _ in _close_pairs(sentences, SENTENCE_LIMIT):
        if owners[x] != owners[y]:
            counts[(min(owners[x], owners[y]), max(owners[x], owners[y]))] += 1
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
    wording = {(i, j): c for i, j, c in _close_pairs(texts, WORDING_LIMIT)}
    sentences = _shared_sentences(items)
    ideas = [_ideas(a.title) for a in items]
    by_idea: dict[str, list[int]] = {}
    for i, names in enumerate(ideas):
        for name in names:
            by_idea.setdefault(name, []).append(i)
    candidates = set(wording) | sentences
    for members in by_idea.values():
        candidates.update(combinations(members, 2))
    found = []
    for i, j in sorted(candidates):
        shared = ideas[i] & ideas[j]
        if shared:
            reason = f"both titles name {sorted(shared)[0]}"
        elif (i, j) in wording:
            reason = f"wording {wording[(i, j)]:.2f} alike"
        else:
            reason = "two or more steps or prompts alike"
        found.append(RestatedPair(items[i].id, items[j].id, reason))
    return found
