"""Synthetic catalogues and pairs for the benchmarks, deterministic by seed.

:func:`synthetic_catalog` builds ``n`` valid :class:`recommender.Activity`
objects whose typed fields follow the bundled catalogue (measured on
``catalog/*.yaml``, 409 activities): the practice mix; per practice the depth,
energy, setting, cost, novelty, contact and strongest intimacy type; how many
types an item mixes and their weights; ``remote`` given the setting;
``accessible`` given the energy; the relationship sets given the contact; the
tag frequencies (support items draw from their own tags); the number and
length of steps and prompts; title and description lengths. The content
rules hold by construction (affectionate only for romantic-only items,
colleague items contact none and depth <= 3, conversation items >= 3
prompts) and :func:`self_check` verifies them on every item, plus full
pydantic validation of a sample.

Texts are drawn word by word from a Zipf vocabulary (``p(rank) ~ 1/(rank +
2.7)``, the slope measured on the bundled texts is -1.02) whose head is the
bundled catalogue's words in frequency order and whose tail is made-up words,
``vocabulary_size(n)`` long (Heaps' law, about 4k words at 1k items and 90k
at 1M), so the TF-IDF space grows with the catalogue as it would for real
imported content.

The heavy lifting is numpy over the whole catalogue; the one Python loop per
item only assembles strings and builds the object the way ``model_construct``
does (validation is skipped there because every value is produced valid; the
self-check proves it). 1M items take about 40 s and 3.6 GB.

:func:`random_pairs` draws pairs (two :class:`~recommender.PersonProfile` and
a :class:`~recommender.PairContext`) whose interests and avoid lists come from
the catalogue's own words and tags, with varied limits.

``python benchmarks/synth.py --size 10k`` times the generator, self-checks the
result and prints its distributions next to the bundled catalogue's.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import math
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

import recommender as rc
from recommender.text import STOP_WORDS, token_term

try:
    from .words import SUPPORT_TAGS, TAGS, TITLE_VERBS, WORDS
except ImportError:  # run as a script: python benchmarks/synth.py
    from words import SUPPORT_TAGS, TAGS, TITLE_VERBS, WORDS  # type: ignore[no-redef, import-not-found]

__all__ = [
    "SIZES",
    "STYLES",
    "Style",
    "Triple",
    "content_vocabulary",
    "describe",
    "parse_size",
    "random_pairs",
    "repeated_catalog",
    "self_check",
    "synthetic_catalog",
    "vocabulary",
    "vocabulary_size",
]

Triple = tuple[rc.PersonProfile, rc.PersonProfile, rc.PairContext]
IntArray = npt.NDArray[np.int64]
#: Category weights: a list, a {category: count} mapping or an array.
Counts = Sequence[float] | Mapping[Any, float] | npt.NDArray[np.floating[Any]]

#: The catalogue sizes the issue asks about.
SIZES: dict[str, int] = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1M": 1_000_000}

#: Items built per block: bounds the memory of the token arrays at 1M items.
CHUNK = 50_000

# ----------------------------------------------------------------- measured distributions
# Counts from the bundled catalogue (409 activities). Rows follow the enum order
# of rc.Practice: connect, appreciation, conversation, shared_experience,
# emotions, listening, affection, support.
PRACTICES = tuple(rc.Practice)
TYPES = tuple(rc.IntimacyType)  # physical, emotional, experiential, spiritual, intellectual
PRACTICE_COUNTS = [43, 35, 80, 125, 44, 37, 17, 28]
STRONGEST_BY_PRACTICE = [  # physical, emotional, experiential, spiritual, intellectual
    [11, 8, 12, 7, 5],
    [4, 12, 8, 6, 5],
    [11, 21, 11, 18, 19],
    [18, 11, 26, 32, 35],
    [7, 16, 9, 7, 5],
    [5, 8, 9, 6, 8],
    [17, 0, 0, 0, 0],
    [0, 27, 0, 1, 0],
]
DEPTH_BY_PRACTICE = [  # depth 1..5
    [14, 19, 6, 1, 3],
    [11, 12, 7, 2, 3],
    [6, 18, 22, 16, 18],
    [70, 30, 16, 5, 4],
    [3, 8, 9, 15, 9],
    [1, 9, 11, 8, 8],
    [6, 8, 1, 2, 0],
    [0, 8, 16, 4, 0],
]
ENERGY_BY_PRACTICE: list[list[float]] = [  # low, medium, high
    [29, 14, 0.5],
    [19, 12, 4],
    [61, 10, 9],
    [21, 50, 54],
    [33, 6, 5],
    [20, 14, 3],
    [15, 2, 0],
    [25, 3, 0],
]
SETTING_BY_PRACTICE = [  # indoor, outdoor, any
    [18, 14, 11],
    [15, 7, 13],
    [32, 11, 37],
    [54, 65, 6],
    [21, 8, 15],
    [15, 6, 16],
    [11, 4, 2],
    [10, 0, 18],
]
COST_BY_PRACTICE = [  # 0..3
    [33, 9, 1, 0],
    [27, 7, 1, 0],
    [74, 3, 3, 0],
    [80, 31, 13, 1],
    [36, 5, 3, 0],
    [33, 3, 1, 0],
    [13, 4, 0, 0],
    [23, 3, 2, 0],
]
NOVELTY_BY_PRACTICE = [  # 1..3
    [10, 29, 4],
    [7, 20, 8],
    [10, 65, 5],
    [6, 45, 74],
    [9, 22, 13],
    [3, 26, 8],
    [6, 9, 2],
    [15, 13, 0],
]
CONTACT_BY_PRACTICE = [  # none, casual, affectionate
    [37, 5, 1],
    [30, 4, 1],
    [76, 2, 2],
    [118, 6, 1],
    [34, 8, 2],
    [31, 5, 1],
    [3, 2, 12],
    [28, 0, 0],
]
TYPE_COUNT = {1: 13, 2: 260, 3: 134, 4: 2}
MAX_WEIGHT = {0.5: 1, 0.6: 60, 0.7: 109, 0.8: 168, 0.9: 67}
OTHER_WEIGHT = {0.2: 63, 0.3: 94, 0.4: 96, 0.5: 124, 0.6: 100, 0.7: 48, 0.8: 5}
REMOTE_BY_SETTING = (87 / 176, 6 / 115, 99 / 118)  # indoor, outdoor, any
ACCESSIBLE_BY_ENERGY = (222 / 223, 92 / 111, 11 / 75)  # low, medium, high
# Typical durations (minutes: count); "minutes:count" pairs keep the table short.
MINUTES = {
    int(m): int(c)
    for m, c in (
        pair.split(":")
        for pair in """1:2 2:1 5:9 10:13 15:18 20:23 25:8 30:62 35:1 40:27 45:48 50:4 60:65 75:3
        90:40 100:1 120:32 150:11 180:18 240:8 300:1 360:4 420:2 480:3 720:2 1440:3""".split()
    )
}
TAG_COUNT = {2: 5, 3: 213, 4: 191}
STEP_COUNT = {0: 48, 2: 5, 3: 270, 4: 85, 5: 1}
PROMPT_COUNT = {5: 45, 6: 35}  # conversation items only; others have none

# Relationship sets (bits: romantic 1, friends 2, family 4, colleagues 8) given
# the contact: affectionate items are romantic-only by rule, casual ones never
# include colleagues.
RELATIONSHIP_SETS = {
    "none": {7: 137, 15: 158, 1: 6, 3: 16, 5: 10, 14: 11, 10: 7, 4: 4, 8: 5, 11: 2, 6: 1},
    "casual": {7: 24, 3: 3, 4: 3, 5: 2},
    "support": {15: 17, 7: 4, 1: 3, 4: 2, 5: 1, 8: 1},
}
RELATIONSHIPS = tuple(rc.Relationship)  # romantic, friends, family, colleagues

#: Share of tag draws that come from a tail of made-up tags (user content).
TAIL_TAG_SHARE = 0.08

STEP_WORDS = (9.0, 2.5, 4, 18)
PROMPT_WORDS = (12.0, 3.0, 6, 22)
SENTENCE_WORDS = 15  # a full stop about every 15 words of a description

ZIPF_SHIFT = 2.7  # Zipf-Mandelbrot offset: flattens the head as in real text


@dataclass(frozen=True)
class Style:
    """How a synthetic catalogue's texts are written (the benchmark's family).

    The typed fields follow the bundled catalogue in every style; only the
    words change: how many distinct words there are, how they are spread,
    how long the texts are and which fields carry text.
    """

    name: str
    summary: str  # one line for the benchmark's table
    #: distinct words drawn from; None: Heaps' law for the catalogue's size
    vocabulary: int | None = None
    #: draw content words only (no stop words, one term each: every word counts)
    content_words: bool = False
    zipf_shift: float = ZIPF_SHIFT
    title_words: tuple[float, float, int, int] = (9.7, 2.0, 6, 15)
    #: None: the description repeats the title (a list of titles imported as is)
    description_words: tuple[float, float, int, int] | None = (55.0, 8.0, 40, 77)
    steps: bool = True
    #: interests per person; None: the spread measured on profiles (1 to 6)
    interests: int | None = None


#: The family of catalogues the benchmark runs on.
STYLES: dict[str, Style] = {
    style.name: style
    for style in (
        Style(
            "zipf",
            "Zipf-like, large vocabulary (Heaps' law), bundled-catalogue lengths",
        ),
        Style(
            "dense",
            "dense small vocabulary: 150 words, 25 per description, 3 interests a person",
            vocabulary=150,
            content_words=True,
            zipf_shift=20.0,
            title_words=(5.0, 1.0, 3, 8),
            description_words=(25.0, 0.0, 25, 25),
            steps=False,
            interests=3,
        ),
        Style(
            "titles",
            "imported short titles only (description = title), large vocabulary",
            title_words=(4.5, 1.5, 3, 9),
            description_words=None,
            steps=False,
        ),
    )
}


# ----------------------------------------------------------------- vocabulary

_ONSETS = (*"b c d f g h j k l m n p r s t v w z br ch cl dr fl gr pl sh st th tr".split(), "")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y")
_CODAS = ("", "", "", "", "n", "r", "l", "s", "m", "t", "nd", "rk", "st", "x")


def vocabulary_size(n_items: int) -> int:
    """Words the texts of an ``n_items`` catalogue draw from (Heaps' law, beta 0.45).

    Examples
    --------
    >>> [vocabulary_size(n) for n in (1_000, 1_000_000)]
    [4000, 89549]
    """
    return max(len(WORDS), round(4000 * float((n_items / 1000) ** 0.45)))


@lru_cache(maxsize=8)
def vocabulary(size: int) -> tuple[str, ...]:
    """The first ``size`` words by rank: bundled words, then made-up ones.

    The list never depends on the seed and ``vocabulary(m)`` is a prefix of
    ``vocabulary(n)`` for ``m < n``, so a rank means the same word at every size.

    Examples
    --------
    >>> words = vocabulary(5000)
    >>> len(words), len(set(words)), words[:3], words[:10] == vocabulary(20)[:10]
    (5000, 5000, ('a', 'you', 'the'), True)
    """
    words = list(WORDS[:size])
    seen = set(WORDS) | set(STOP_WORDS)
    rng = np.random.default_rng(20_240_601)  # fixed: the same made-up words for every seed
    while len(words) < size:
        syllables = rng.integers(2, 4, 4096)
        onsets = rng.integers(0, len(_ONSETS), (4096, 3))
        vowels = rng.integers(0, len(_VOWELS), (4096, 3))
        codas = rng.integers(0, len(_CODAS), 4096)
        for count, on, vo, co in zip(
            syllables.tolist(), onsets.tolist(), vowels.tolist(), codas.tolist(), strict=True
        ):
            word = "".join(_ONSETS[on[s]] + _VOWELS[vo[s]] for s in range(count)) + _CODAS[co]
            if word not in seen:
                seen.add(word)
                words.append(word)
                if len(words) == size:
                    break
    return tuple(words)


class _Sampler:
    """Draws ranks from a discrete distribution in O(1) each (Walker's alias method).

    Each draw picks a column uniformly and keeps it or takes its alias, so a
    hundred million words cost a few vectorised gathers, however long the tail.
    """

    def __init__(self, weights: npt.NDArray[np.float64]) -> None:
        size = len(weights)
        scaled = weights * (size / weights.sum())
        keep = np.ones(size)
        alias = np.arange(size)
        small = [i for i in range(size) if scaled[i] < 1.0]
        large = [i for i in range(size) if scaled[i] >= 1.0]
        while small and large:  # Vose's construction, once per vocabulary size
            low, high = small.pop(), large.pop()
            keep[low], alias[low] = scaled[low], high
            scaled[high] -= 1.0 - scaled[low]
            (small if scaled[high] < 1.0 else large).append(high)
        self.keep, self.alias = keep, alias

    def __call__(self, rng: np.random.Generator, count: int) -> IntArray:
        column = rng.integers(0, len(self.keep), count)
        return np.where(rng.random(count) < self.keep[column], column, self.alias[column])


@lru_cache(maxsize=16)
def content_vocabulary(size: int) -> tuple[str, ...]:
    """The ``size`` most frequent bundled words that are content words, one per term.

    Stop words, words under four letters and words whose stem another word
    already has ("feels" after "feel") are skipped, so each word is a term of
    its own and a vocabulary of 150 words is 150 terms.

    Examples
    --------
    >>> words = content_vocabulary(150)
    >>> len(words), len({token_term(w) for w in words}), words[:3]
    (150, 150, ('together', 'something', 'time'))
    """
    words: list[str] = []
    stems: set[str] = set()
    for word in WORDS:
        stem = token_term(word)
        if len(word) >= 4 and stem and stem not in stems:
            stems.add(stem)
            words.append(word)
            if len(words) == size:
                return tuple(words)
    raise ValueError(f"only {len(words)} content words are bundled, asked for {size}")


@lru_cache(maxsize=16)
def _word_table(
    size: int, content: bool = False, shift: float = ZIPF_SHIFT
) -> tuple[npt.NDArray[np.object_], _Sampler]:
    """Token variants (plain, "w.", end-of-text forms, capitalised) and the Zipf sampler."""
    words = content_vocabulary(size) if content else vocabulary(size)
    table = np.array(
        [
            *words,
            *(w + "." for w in words),
            *(w + ".\x1f" for w in words),
            *(w + "?\x1f" for w in words),
            *(w + "\x1f" for w in words),
            *(w.capitalize() for w in words),
        ],
        dtype=object,
    )
    return table, _Sampler(1.0 / (np.arange(size, dtype=np.float64) + shift))


# Variant offsets into the word table (in units of the vocabulary size).
_PLAIN, _PERIOD, _END_PERIOD, _END_QUESTION, _END_BARE, _CAPITAL = range(6)


def _texts(
    rng: np.random.Generator,
    lengths: IntArray,
    words: tuple[npt.NDArray[np.object_], _Sampler],
    *,
    end: int,
    periods: bool = False,
    capital: bool = True,
) -> list[str]:
    """One text per entry of ``lengths`` (words each), drawn from ``words`` (a
    :func:`_word_table`).

    All tokens are drawn at once; one ``join`` and one ``split`` turn them into
    texts (the end-of-text variants carry a separator), so there is no Python
    work per word.
    """
    if len(lengths) == 0:
        return []
    table, sample = words
    size = len(table) // 6
    total = int(lengths.sum())
    index = sample(rng, total)
    if periods:
        index[rng.random(total) < 1.0 / SENTENCE_WORDS] += _PERIOD * size
    last = np.cumsum(lengths) - 1
    if capital:  # texts are at least two words long, so first and last differ
        first = last - lengths + 1
        index[first] = index[first] % size + _CAPITAL * size
    index[last] = index[last] % size + end * size
    joined = " ".join(table[index].tolist())
    return joined[:-1].split("\x1f ")


# ----------------------------------------------------------------- sampling helpers


def _probabilities(counts: Counts) -> npt.NDArray[np.float64]:
    values = np.asarray(list(counts.values()) if isinstance(counts, Mapping) else counts, float)
    probabilities: npt.NDArray[np.float64] = values / values.sum()
    return probabilities


def _draw(rng: np.random.Generator, counts: Counts, n: int) -> IntArray:
    """``n`` category indices with probabilities proportional to ``counts``."""
    cdf = np.cumsum(_probabilities(counts))
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)


def _draw_given(
    rng: np.random.Generator, table: Sequence[Sequence[float]], group: IntArray
) -> IntArray:
    """One category per row of ``group``, from that group's row of ``table``."""
    counts = np.asarray(table, float)
    cdf = np.cumsum(counts / counts.sum(axis=1, keepdims=True), axis=1)
    picks: IntArray = (rng.random(len(group))[:, None] >= cdf[group]).sum(axis=1)
    out: IntArray = np.minimum(picks, counts.shape[1] - 1)
    return out


def _lengths(rng: np.random.Generator, spec: tuple[float, float, int, int], n: int) -> IntArray:
    mean, sd, low, high = spec
    return np.clip(np.rint(rng.normal(mean, sd, n)), low, high).astype(np.int64)


def _cut(text: str, limit: int) -> str:
    """Cut at a word boundary to respect a field's length limit."""
    return text[:limit].rsplit(" ", 1)[0]


def _constructor() -> Any:
    """A function building an :class:`~recommender.Activity` from a complete field dict.

    It does what ``model_construct`` does (no validation) without its per-field
    alias and default handling, which costs more than the rest of the generator
    when all fields are given. Falls back to ``model_construct`` for a model
    that needs that handling.
    """
    model = rc.Activity
    names = set(model.model_fields)
    plain = (
        not model.__pydantic_post_init__
        and not model.__pydantic_root_model__
        and all(f.alias is None and f.validation_alias is None for f in model.model_fields.values())
    )
    if not plain:
        return lambda values: model.model_construct(**values)
    new, setattr_ = model.__new__, object.__setattr__

    def construct(values: dict[str, Any]) -> rc.Activity:
        activity = new(model)
        setattr_(activity, "__dict__", values)
        setattr_(activity, "__pydantic_fields_set__", names.copy())
        setattr_(activity, "__pydantic_extra__", None)
        setattr_(activity, "__pydantic_private__", None)
        return activity

    return construct


# ----------------------------------------------------------------- the catalogue


def _relationship_tables(
    contact: IntArray,
    depth: IntArray,
    support: npt.NDArray[np.bool_],
) -> list[tuple[npt.NDArray[np.bool_], Mapping[int, float]]]:
    """Rows and the relationship-set table to draw them from.

    Colleague items must stay at depth <= 3, so deep items draw from the sets
    without colleagues and shallow ones from a table where colleague sets are
    scaled up just enough to keep their overall share.
    """
    table = RELATIONSHIP_SETS["none"]
    plain = (contact == 0) & ~support
    shallow = depth <= 3
    colleague_share = sum(c for bits, c in table.items() if bits & 8) / sum(table.values())
    wanted = min(0.99, colleague_share / max(float(shallow[plain].mean()), 1e-9))
    others = sum(c for bits, c in table.items() if not bits & 8)
    colleagues = sum(table.values()) - others
    scale = wanted / (1 - wanted) * others / colleagues
    return [
        (plain & shallow, {bits: c * (scale if bits & 8 else 1) for bits, c in table.items()}),
        (plain & ~shallow, {bits: c for bits, c in table.items() if not bits & 8}),
        (contact == 1, RELATIONSHIP_SETS["casual"]),
        (support, RELATIONSHIP_SETS["support"]),
    ]


def _structure(n: int, rng: np.random.Generator) -> dict[str, Any]:
    """Every typed field of ``n`` items as arrays, content rules applied."""
    practice = _draw(rng, PRACTICE_COUNTS, n)
    support = practice == PRACTICES.index(rc.Practice.support)

    strongest = _draw_given(rng, STRONGEST_BY_PRACTICE, practice)
    n_types = np.array(list(TYPE_COUNT))[_draw(rng, TYPE_COUNT, n)]
    top = np.array(list(MAX_WEIGHT))[_draw(rng, MAX_WEIGHT, n)]
    others = np.array(list(OTHER_WEIGHT))[_draw(rng, OTHER_WEIGHT, n * 3)].reshape(n, 3)
    others = np.minimum(others, top[:, None])
    keys = rng.random((n, len(TYPES)))
    keys[np.arange(n), strongest] = 2.0  # the strongest type sorts first
    order = np.argsort(-keys, axis=1)
    # An item's types in slot order (strongest first) and the weight of each slot.
    slot_types = order[:, :4]
    slot_weights = np.round(np.column_stack([top, others]), 1)

    contact = _draw_given(rng, CONTACT_BY_PRACTICE, practice)
    depth = _draw_given(rng, DEPTH_BY_PRACTICE, practice) + 1
    relationships = np.zeros(n, np.int64)
    for rows, table in _relationship_tables(contact, depth, support):
        relationships[rows] = np.array(list(table))[_draw(rng, table, int(rows.sum()))]
    relationships[contact == 2] = 1  # affectionate: romantic only
    colleagues = (relationships & 8) != 0
    depth[colleagues] = np.minimum(depth[colleagues], 3)  # only a few support items

    setting = _draw_given(rng, SETTING_BY_PRACTICE, practice)
    energy = _draw_given(rng, ENERGY_BY_PRACTICE, practice)
    return {
        "practice": practice,
        "slot_types": slot_types,
        "slot_weights": slot_weights,
        "n_types": n_types,
        "contact": contact,
        "relationships": relationships,
        "depth": depth,
        "minutes": np.array(list(MINUTES))[_draw(rng, MINUTES, n)],
        "cost": _draw_given(rng, COST_BY_PRACTICE, practice),
        "energy": energy,
        "setting": setting,
        "remote": rng.random(n) < np.asarray(REMOTE_BY_SETTING)[setting],
        "accessible": rng.random(n) < np.asarray(ACCESSIBLE_BY_ENERGY)[energy],
        "novelty": _draw_given(rng, NOVELTY_BY_PRACTICE, practice) + 1,
        "n_tags": np.array(list(TAG_COUNT))[_draw(rng, TAG_COUNT, n)],
        "n_steps": np.array(list(STEP_COUNT))[_draw(rng, STEP_COUNT, n)],
        "n_prompts": np.where(
            practice == PRACTICES.index(rc.Practice.conversation),
            np.array(list(PROMPT_COUNT))[_draw(rng, PROMPT_COUNT, n)],
            0,
        ),
    }


def _tag_draws(
    rng: np.random.Generator, practice: IntArray, n_items: int
) -> tuple[list[str], IntArray]:
    """Six candidate tags per item (the first distinct ones are kept), as names + indices."""
    # Made-up tags (user content) are the first made-up words of the vocabulary.
    n_tail = round(10 * math.sqrt(n_items / 1000)) + 1
    tail = vocabulary(len(WORDS) + n_tail)[len(WORDS) :]
    names = [*TAGS, *SUPPORT_TAGS, *tail[:n_tail]]
    n = len(practice)
    draws = _draw(rng, TAGS, n * 6).reshape(n, 6)
    support = practice == PRACTICES.index(rc.Practice.support)
    draws[support] = len(TAGS) + _draw(rng, SUPPORT_TAGS, int(support.sum()) * 6).reshape(-1, 6)
    from_tail = (rng.random((n, 6)) < TAIL_TAG_SHARE) & ~support[:, None]
    draws[from_tail] = (
        len(TAGS)
        + len(SUPPORT_TAGS)
        + _draw(rng, 1.0 / (np.arange(n_tail) + 1.0), int(from_tail.sum()))
    )
    return names, draws


def synthetic_catalog(n: int, *, seed: int = 0, style: str = "zipf") -> list[rc.Activity]:
    """``n`` valid activities with the bundled catalogue's field distributions,
    their texts written in ``style`` (a key of :data:`STYLES`).

    Deterministic: the same ``(n, seed, style)`` always gives the same activities.

    Examples
    --------
    >>> acts = synthetic_catalog(300, seed=1)
    >>> len(acts), len({a.id for a in acts}), acts[0] == synthetic_catalog(300, seed=1)[0]
    (300, 300, True)
    >>> self_check(acts)
    []
    >>> dense = synthetic_catalog(300, seed=1, style="dense")
    >>> len(dense[0].description.split()), self_check(dense)
    (25, [])
    >>> titles = synthetic_catalog(300, seed=1, style="titles")
    >>> all(a.description == a.title for a in titles), self_check(titles)
    (True, [])
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}, got {style!r}")
    with _collector_paused():
        return _build(n, seed, STYLES[style])


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building activities: millions of
    new containers would trigger it again and again over an ever larger heap,
    and none of them is garbage."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _build(n: int, seed: int, style: Style) -> list[rc.Activity]:
    rng = np.random.default_rng(seed)
    fields = _structure(n, rng)
    if not style.steps:
        fields["n_steps"] = np.zeros(n, np.int64)
    tag_names, tag_draws = _tag_draws(rng, fields["practice"], n)
    size = style.vocabulary or vocabulary_size(n)
    words = _word_table(size, style.content_words, style.zipf_shift)
    verbs_lower = TITLE_VERBS
    verb_index = _draw(rng, 1.0 / (np.arange(len(TITLE_VERBS)) + 3.0), n)

    energy_of, contact_of = tuple(rc.Energy), tuple(rc.Contact)
    setting_of = (rc.Setting.indoor, rc.Setting.outdoor, rc.Setting.any)
    practices = [PRACTICES[i] for i in fields["practice"].tolist()]
    energies = [energy_of[i] for i in fields["energy"].tolist()]
    settings = [setting_of[i] for i in fields["setting"].tolist()]
    contacts = [contact_of[i] for i in fields["contact"].tolist()]
    rel_sets = {
        bits: frozenset(r for b, r in enumerate(RELATIONSHIPS) if bits >> b & 1)
        for bits in range(1, 16)
    }
    relationships = [rel_sets[bits] for bits in fields["relationships"].tolist()]
    depth, minutes, cost = (fields[k].tolist() for k in ("depth", "minutes", "cost"))
    remote, accessible, novelty = (fields[k].tolist() for k in ("remote", "accessible", "novelty"))
    n_tags = fields["n_tags"].tolist()
    # Items share one of a few hundred (types in order) tuples; zip with the
    # slot weights stops at the item's number of types.
    slot_key = fields["n_types"] * 10_000 + fields["slot_types"] @ np.array([1000, 100, 10, 1])
    keys, first = np.unique(slot_key, return_index=True)
    patterns = {
        key: tuple(TYPES[t] for t in types[:k])
        for key, types, k in zip(
            keys.tolist(),
            fields["slot_types"][first].tolist(),
            fields["n_types"][first].tolist(),
            strict=True,
        )
    }
    type_tuples = [patterns[key] for key in slot_key.tolist()]
    slot_weights = fields["slot_weights"].tolist()

    construct = _constructor()
    activities: list[rc.Activity] = []
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        m = stop - start
        titles = _texts(
            rng, _lengths(rng, style.title_words, m) - 1, words, end=_END_BARE, capital=False
        )
        descriptions = (
            None
            if style.description_words is None
            else _texts(
                rng, _lengths(rng, style.description_words, m), words, end=_END_PERIOD, periods=True
            )
        )
        n_steps = fields["n_steps"][start:stop]
        steps = _texts(rng, _lengths(rng, STEP_WORDS, int(n_steps.sum())), words, end=_END_BARE)
        n_prompts = fields["n_prompts"][start:stop]
        prompts = _texts(
            rng, _lengths(rng, PROMPT_WORDS, int(n_prompts.sum())), words, end=_END_QUESTION
        )
        step_at = np.concatenate([[0], np.cumsum(n_steps)]).tolist()
        prompt_at = np.concatenate([[0], np.cumsum(n_prompts)]).tolist()
        draws = tag_draws[start:stop].tolist()
        verb_lower = [verbs_lower[v] for v in verb_index[start:stop].tolist()]
        for j in range(m):
            i = start + j
            title = titles[j]
            head = title.split(" ", 2)
            title = f"{verb_lower[j].capitalize()} {title}"
            description = title if descriptions is None else descriptions[j]
            activities.append(
                construct(
                    {
                        "id": f"{verb_lower[j]}-{head[0]}-{head[1]}"[:56] + f"-{i:x}",
                        "title": title if len(title) <= 120 else _cut(title, 120),
                        "description": description
                        if len(description) <= 1000
                        else _cut(description, 1000),
                        "intimacy": dict(zip(type_tuples[i], slot_weights[i], strict=False)),
                        "practice": practices[i],
                        "tags": tuple(dict.fromkeys([tag_names[d] for d in draws[j]]))[: n_tags[i]],
                        "relationships": relationships[i],
                        "depth": depth[i],
                        "minutes": minutes[i],
                        "cost": cost[i],
                        "energy": energies[i],
                        "setting": settings[i],
                        "remote": remote[i],
                        "contact": contacts[i],
                        "accessible": accessible[i],
                        "novelty": novelty[i],
                        # Step and prompt lengths are capped in words well under the 500-char limit.
                        "steps": tuple(steps[step_at[j] : step_at[j + 1]]),
                        "prompts": tuple(prompts[prompt_at[j] : prompt_at[j + 1]]),
                    }
                )
            )
    return activities


def repeated_catalog(n: int, times: int, *, seed: int = 0) -> list[rc.Activity]:
    """The ``n``-activity synthetic catalogue ``times`` over: ``n * times`` activities
    with the word distribution (vocabulary, words per activity) of ``n``.

    A control for scaling: the catalogues of :func:`synthetic_catalog` grow
    their vocabulary with their size (Heaps' law), so a larger one is also
    wordier per activity. Copy ``k`` of activity ``x`` has the id
    ``x.id + "-k"`` (the first copy keeps its id) and its own string objects,
    so the copies take the memory that distinct activities would.

    Examples
    --------
    >>> twice = repeated_catalog(50, 2, seed=1)
    >>> len(twice), len({a.id for a in twice}), twice[50].title == twice[0].title
    (100, 100, True)
    >>> self_check(twice)
    []
    """
    base = synthetic_catalog(n, seed=seed)
    construct = _constructor()

    def fresh(text: str) -> str:
        return (text + " ")[:-1]  # equal, but a new object

    out = list(base)
    with _collector_paused():
        for copy in range(1, times):
            for activity in base:
                values = dict(activity.__dict__)
                values["id"] = f"{activity.id}-{copy}"
                values["title"] = fresh(values["title"])
                values["description"] = fresh(values["description"])
                values["steps"] = tuple(map(fresh, values["steps"]))
                values["prompts"] = tuple(map(fresh, values["prompts"]))
                out.append(construct(values))
    return out


def self_check(activities: Sequence[rc.Activity], *, sample: int = 500, seed: int = 0) -> list[str]:
    """Problems found: content rules on every item, full validation of a sample.

    Returns an empty list when the catalogue is valid.
    """
    problems: list[str] = []
    ids = Counter(a.id for a in activities)
    problems += [f"duplicate id {i!r}" for i, c in ids.items() if c > 1][:10]
    romantic_only = frozenset({rc.Relationship.romantic})
    for a in activities:
        if a.contact is rc.Contact.affectionate and a.relationships != romantic_only:
            problems.append(f"{a.id}: affectionate but not romantic-only")
        if rc.Relationship.colleagues in a.relationships and (
            a.contact is not rc.Contact.none or a.depth > 3
        ):
            problems.append(f"{a.id}: colleague item with contact or depth > 3")
        if a.practice is rc.Practice.conversation and len(a.prompts) < 3:
            problems.append(f"{a.id}: conversation item with fewer than 3 prompts")
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(activities), size=min(sample, len(activities)), replace=False)
    for i in picks.tolist():
        record = activities[i].model_dump()
        try:
            if rc.Activity.model_validate(record) != activities[i]:
                problems.append(f"{activities[i].id}: changes when validated")
        except ValueError as exc:
            problems.append(f"{activities[i].id}: {str(exc).splitlines()[0]}")
    return problems


# ----------------------------------------------------------------- pairs

NAMES = (
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Femi",
    "Gosia",
    "Hiro",
    "Ines",
    "Jon",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
)
#: Interests people type that the catalogue may word differently (or not know).
FREE_INTERESTS = (
    "hiking",
    "yoga",
    "films",
    "board games",
    "baking",
    "astronomy",
    "gaming",
    "knitting",
    "philosophy",
    "podcasts",
    "chess",
    "surfing",
    "jazz",
    "pottery",
)


def _catalog_words(
    activities: Sequence[rc.Activity], rng: np.random.Generator, count: int
) -> list[str]:
    """Content words (length >= 4, not stop words) from random catalogue titles."""
    out = []
    for i in rng.integers(0, len(activities), count * 2).tolist():
        words = [
            w
            for w in activities[i].title.lower().split()
            if len(w) >= 4 and w.isalpha() and w not in STOP_WORDS
        ]
        if words:
            out.append(words[int(rng.integers(len(words)))])
    return out[:count]


def _person(
    activities: Sequence[rc.Activity],
    rng: np.random.Generator,
    constrained: bool,
    interests_each: int | None = None,
) -> rc.PersonProfile:
    n_interests = int(_draw(rng, [8, 17, 25, 25, 15, 10], 1)[0])
    if interests_each is not None:
        n_interests = interests_each
    interests: list[str] = []
    for _ in range(n_interests):
        source = rng.random()
        if source < 0.4:
            tags = activities[int(rng.integers(len(activities)))].tags
            interests += [tags[int(rng.integers(len(tags)))]] if tags else []
        elif source < 0.9:
            interests += _catalog_words(activities, rng, 1)
        else:
            interests.append(FREE_INTERESTS[int(rng.integers(len(FREE_INTERESTS)))])
    n_avoid = int(_draw(rng, [0, 70, 30] if constrained else [60, 30, 10], 1)[0])
    avoid = []
    for _ in range(n_avoid):
        tags = activities[int(rng.integers(len(activities)))].tags
        if tags:
            avoid.append(tags[-1])  # the least typical tag of an item: avoids are narrow
    energy = [None, *rc.Energy][int(_draw(rng, [30, 30, 25, 15], 1)[0])]
    return rc.PersonProfile(
        name=NAMES[int(rng.integers(len(NAMES)))],
        intimacy={t: round(float(rng.random()), 1) for t in TYPES if rng.random() < 0.7},
        interests=tuple(dict.fromkeys(interests)),
        avoid=tuple(dict.fromkeys(avoid)),
        max_depth=int(_draw(rng, [10, 25, 35, 20, 10], 1)[0]) + 1,
        budget=int(_draw(rng, [30, 40, 20, 10], 1)[0]),
        energy=energy,
        max_contact=tuple(rc.Contact)[int(_draw(rng, [15, 35, 50], 1)[0])],
        limited_mobility=bool(rng.random() < 0.08),
    )


def random_pairs(
    catalog: rc.Catalog | Iterable[rc.Activity],
    n_pairs: int,
    *,
    seed: int = 0,
    constrained: bool = False,
    safety_rate: float = 0.0,
    interests: int | None = None,
) -> list[Triple]:
    """``n_pairs`` random (person, person, context) triples for ``catalog``.

    Interests come from the catalogue's tags and title words (plus a few free
    words it may not know); avoid lists from its tags. With ``constrained``,
    every context sets minutes, a budget, a setting, an obstacle, a goal and
    excluded ids, and every person avoids something, so each hard constraint
    and each emphasis is exercised. ``interests`` fixes how many interests
    each person draws (by default one to six, as measured).

    Examples
    --------
    >>> acts = synthetic_catalog(200)
    >>> pairs = random_pairs(acts, 5, seed=3, constrained=True)
    >>> len(pairs), pairs == random_pairs(acts, 5, seed=3, constrained=True)
    (5, True)
    >>> all(ctx.minutes and ctx.obstacles and ctx.exclude for _, _, ctx in pairs)
    True
    """
    activities = catalog.activities if isinstance(catalog, rc.Catalog) else tuple(catalog)
    rng = np.random.default_rng(seed)
    obstacles, goals = tuple(rc.Obstacle), TYPES
    triples: list[Triple] = []
    for _ in range(n_pairs):
        a = _person(activities, rng, constrained, interests)
        b = _person(activities, rng, constrained, interests)
        n_obstacles = int(_draw(rng, [0, 2, 1] if constrained else [5, 3, 1], 1)[0])
        n_goals = int(_draw(rng, [0, 2, 1] if constrained else [4, 4, 1], 1)[0])
        n_exclude = int(rng.integers(1 if constrained else 0, 4))
        minutes_choices = (60, 90, 120, 180, 240) if constrained else (15, 30, 60, 90, 120)
        ctx = rc.PairContext(
            relationship=RELATIONSHIPS[int(_draw(rng, [50, 25, 15, 10], 1)[0])],
            minutes=None
            if not constrained and rng.random() < 0.3
            else minutes_choices[int(rng.integers(len(minutes_choices)))],
            budget=None if not constrained and rng.random() < 0.5 else int(rng.integers(1, 4)),
            remote=bool(rng.random() < 0.15),
            setting=[None, rc.Setting.indoor, rc.Setting.outdoor][
                int(_draw(rng, [0, 50, 50] if constrained else [60, 20, 20], 1)[0])
            ],
            obstacles=frozenset(
                obstacles[i]
                for i in rng.choice(len(obstacles), n_obstacles, replace=False).tolist()
            ),
            goals=frozenset(
                goals[i] for i in rng.choice(len(goals), n_goals, replace=False).tolist()
            ),
            safety_concern=bool(rng.random() < safety_rate),
            exclude=frozenset(
                activities[i].id for i in rng.integers(0, len(activities), n_exclude).tolist()
            ),
        )
        triples.append((a, b, ctx))
    return triples


# ----------------------------------------------------------------- comparison


def describe(activities: Sequence[rc.Activity]) -> dict[str, Any]:
    """Field distributions (shares) and text statistics, to compare with the bundled catalogue."""
    from recommender.text import analyze

    n = len(activities)

    def shares(values: Iterable[Any]) -> dict[str, float]:
        counts = Counter(values)
        return {str(k): round(v / n, 3) for k, v in sorted(counts.items(), key=str)}

    terms: Counter[str] = Counter()
    for a in activities[:20_000]:
        terms.update(analyze(f"{a.title} {a.description}"))
    return {
        "items": n,
        "practice": shares(a.practice.value for a in activities),
        "depth": shares(a.depth for a in activities),
        "energy": shares(a.energy.value for a in activities),
        "setting": shares(a.setting.value for a in activities),
        "contact": shares(a.contact.value for a in activities),
        "cost": shares(a.cost for a in activities),
        "novelty": shares(a.novelty for a in activities),
        "remote": shares(a.remote for a in activities),
        "accessible": shares(a.accessible for a in activities),
        "types mixed": shares(len(a.intimacy) for a in activities),
        "strongest": shares(a.strongest_type.value for a in activities),
        "relationships": shares(len(a.relationships) for a in activities),
        "tags per item": shares(len(a.tags) for a in activities),
        "distinct tags": len({t for a in activities for t in a.tags}),
        "minutes median": float(np.median([a.minutes for a in activities])),
        "title words": round(float(np.mean([len(a.title.split()) for a in activities])), 1),
        "description words": round(
            float(np.mean([len(a.description.split()) for a in activities])), 1
        ),
        "terms (first 20k items)": len(terms),
    }


def parse_size(text: str) -> int:
    """``"10k"`` -> 10000, ``"1M"`` -> 1000000, ``"2500"`` -> 2500.

    Examples
    --------
    >>> parse_size("100k"), parse_size("1M"), parse_size("250")
    (100000, 1000000, 250)
    """
    text = text.strip()
    scale = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate, time, self-check and compare one synthetic catalogue."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", default="10k", help="items: 1k, 10k, 100k, 1M or a number")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--style", choices=list(STYLES), default="zipf")
    args = parser.parse_args(argv)
    n = parse_size(args.size)
    started = time.perf_counter()
    activities = synthetic_catalog(n, seed=args.seed, style=args.style)
    elapsed = time.perf_counter() - started
    print(
        f"generated {n:,} activities in {elapsed:.2f} s "
        f"({elapsed / n * 1e6:.1f} us per item), vocabulary {vocabulary_size(n):,} words"
    )
    problems = self_check(activities)
    print("self-check:", "ok" if not problems else f"{len(problems)} problems")
    for line in problems[:20]:
        print("  ", line)
    ours, bundled = describe(activities), describe(list(rc.default_catalog()))
    print(f"\n{'field':<24} {'synthetic':<60} bundled")
    for key in ours:
        print(f"{key:<24} {ours[key]!s:<60} {bundled[key]!s}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
