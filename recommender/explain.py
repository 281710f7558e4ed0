"""Short reasons for each suggestion, naming both people.

Explanations that mention every member work best for groups and longer ones do
not help (see RESEARCH.md), so each suggestion gets one to three short
sentences: why it fits each person, what it does for the pair's situation,
and what else stands out (new and exciting, works over a call, history).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .features import TextSpace
from .schema import (
    IntimacyType,
    Obstacle,
    PairContext,
    PersonProfile,
    Relationship,
)
from .text import related_words

__all__ = ["MAX_REASONS", "Explainer"]

MAX_REASONS = 3
#: TF-IDF weight an interest's words need in an activity's text to be named as a reason.
INTEREST_MENTION = 0.15
_TYPES = tuple(IntimacyType)
_TYPE_NAMES = tuple(t.value for t in _TYPES)
STRONG_WEIGHT = 0.65

_OBSTACLE_REASON = {
    Obstacle.trust: "A gentle step while trust grows",
    Obstacle.attachment: "Predictable and low-pressure, so it feels safe to show up",
    Obstacle.communication: "Practises listening and saying things clearly",
    Obstacle.criticism: "Puts appreciation first, a counterweight to criticism",
    Obstacle.mental_health: "Easy on energy and low on pressure",
}

_OBSTACLES = tuple(Obstacle)
_GOAL_REASON = tuple(f"Grows the {t.value} closeness you want" for t in _TYPES)
#: Indexed by "the pair is romantic".
_NOVELTY_REASON = tuple(
    f"New and exciting: novel shared activities bring {who} closer" for who in ("people", "couples")
)

SAFETY_REASON = (
    "You mentioned fear, coercion or violence: closer suggests help for one person, "
    "not joint activities. It is not a crisis service; in danger, call your local "
    "emergency number"
)
SUPPORT_REASON = "Support is there too: closer is not therapy"


#: Mention sets larger than this are kept as a sorted array, not a frozenset: on a
#: dense vocabulary a word's set can hold a fifth of the catalogue, and building a
#: frozenset of 20k items took about a millisecond, more than the rest of a pair.
MENTIONS_AS_SET = 2048


def _mentions(text: TextSpace, word: str) -> frozenset[int] | npt.NDArray[np.int32]:
    """The activities that really mention an interest word: its terms carry at least
    :data:`INTEREST_MENTION` of TF-IDF weight in the activity's text (a frozenset,
    or a sorted array when there are many; see :func:`_mentioned`).

    Found through the word's postings (cost grows with how many activities use
    it, not with the catalogue) and remembered with the text space, since the
    same interests come back pair after pair.
    """
    cache: dict[str, frozenset[int] | npt.NDArray[np.int32]]
    cache = text.__dict__.setdefault("_mentions", {})
    found = cache.get(word)
    if found is None:
        if len(cache) >= 50_000:
            cache.clear()
        # sorted(set()), not np.unique: that loads numpy.ma, 8 ms of the command's start
        terms = np.array(sorted(set(text.term_ids(related_words(word)))), np.int32)
        flat, _ = text.postings(terms)
        items = text.col_items[flat]
        weights = text.col_weights[flat].astype(np.float64)
        if len(terms) > 1 and len(items) * 16 >= text.n_items:
            # Many postings: add up the word's terms per activity over the whole
            # catalogue (no sort), in the same order as below.
            total = np.bincount(items, weights=weights, minlength=text.n_items)
            hits = np.flatnonzero(total >= INTEREST_MENTION).astype(np.int32)
        else:
            if len(terms) > 1:  # add up the word's terms per activity
                items, where = np.unique(items, return_inverse=True)
                weights = np.asarray(np.bincount(where, weights=weights), dtype=np.float64)
            hits = items[weights >= INTEREST_MENTION]
        found = frozenset(hits.tolist()) if len(hits) <= MENTIONS_AS_SET else hits
        cache[word] = found
    return found


def _mentioned(found: frozenset[int] | npt.NDArray[np.int32], picks: Sequence[int]) -> list[int]:
    """The picks among the mentions ``found`` by :func:`_mentions`."""
    if isinstance(found, frozenset):
        return list(found.intersection(picks))
    at = np.minimum(np.searchsorted(found, picks), len(found) - 1)
    return [item for item, hit in zip(picks, (found[at] == picks).tolist(), strict=True) if hit]


class ItemFacts:
    """Per-activity facts the reasons need, as bytes (one per activity: fast to index
    from Python, one byte each even for a million activities). Built once per model."""

    def __init__(
        self,
        strongest: npt.NDArray[np.int8],
        obstacle_hits: npt.NDArray[np.bool_],
        intimacy: npt.NDArray[np.float32],
        novelty: npt.NDArray[np.int8],
        remote: npt.NDArray[np.bool_],
        conversation: npt.NDArray[np.bool_],
    ) -> None:
        self.strongest = bytes(strongest.astype(np.uint8))
        self.obstacle = tuple(bytes(row.astype(np.uint8)) for row in obstacle_hits)
        self.builds = tuple(bytes((column >= 0.5).astype(np.uint8)) for column in intimacy.T)
        self.novel = bytes((novelty == 3).astype(np.uint8))
        self.remote = bytes(remote.astype(np.uint8))
        self.conversation = bytes(conversation.astype(np.uint8))


class Explainer:
    """Builds reasons for one pair's picked activities; made once per pair.

    Parameters
    ----------
    picks : the catalogue rows that will be explained (only these are examined).
    strongest : each catalogue row's strongest intimacy type, as an index into
        ``IntimacyType``.
    """

    def __init__(
        self,
        a: PersonProfile,
        b: PersonProfile,
        ctx: PairContext,
        text: TextSpace,
        facts: ItemFacts,
        picks: Sequence[int],
        notes: dict[int, str] | None = None,
    ) -> None:
        self.people = (a, b)
        self.ctx = ctx
        self.facts = facts
        self.notes = notes or {}
        # Per person: picked item -> the first interest word it really mentions.
        self.interest_hits: list[dict[int, str]] = []
        for person in self.people:
            hits: dict[int, str] = {}
            for word in person.interests:
                for item in _mentioned(_mentions(text, word), picks):
                    hits.setdefault(item, word)
            self.interest_hits.append(hits)
        # The fit reason depends on a few facts, not on the item: most of a list's
        # items share them, so each text is composed once per pair.
        self._fit_texts: dict[tuple[str | None, str | None, int], tuple[str, str]] = {}
        self.values = tuple(
            tuple(person.intimacy.get(t, 0.5) for t in _TYPES) for person in self.people
        )
        # Per-pair phrases, fixed in enum order so the text never depends on set order.
        self.obstacle_rows = (
            [
                (facts.obstacle[row], _OBSTACLE_REASON[o])
                for row, o in enumerate(_OBSTACLES)
                if o in ctx.obstacles
            ]
            if ctx.obstacles
            else []
        )
        self.goals = (
            [(facts.builds[i], _GOAL_REASON[i]) for i, t in enumerate(_TYPES) if t in ctx.goals]
            if ctx.goals
            else []
        )
        self.remote = ctx.remote
        self.novelty_reason = _NOVELTY_REASON[ctx.relationship is Relationship.romantic]
        first, second = sorted((a.name, b.name))
        self.turns_reason = f"Take turns: {first} and {second} both answer each question"

    def _person_reason(self, who: int, word: str | None, kind: int) -> tuple[str, str | None]:
        """(kind, text) for one person: an interest hit beats a strongly valued type."""
        name = self.people[who].name
        if word is not None:  # a real match, not a passing mention
            return "interest", f"{name} enjoys {word}"
        if self.values[who][kind] >= STRONG_WEIGHT:
            kind_name = _TYPE_NAMES[kind]
            return kind_name, f"{name} values {kind_name} closeness"
        return "none", None

    def explain(
        self,
        picks: Sequence[int],
        fits: Sequence[tuple[float, float]],
        support: int | None = None,
    ) -> list[tuple[str, ...]]:
        """One to three reasons for each picked catalogue row, in order.

        ``fits`` holds each pick's two person fits; ``support`` is the row of a
        professional-help pick, if any. One call per pair keeps the per-item
        work to a few byte lookups (the hot path explains ten items a pair).
        """
        facts = self.facts
        novel, conversation = facts.novel, facts.conversation
        remote = facts.remote if self.remote else None
        fit_reason, notes = self._fit_reason, self.notes
        out = []
        for item, scores in zip(picks, fits, strict=True):
            found = [fit_reason(item, scores)]
            if item == support:
                found.append(SUPPORT_REASON)
            for hits, reason in self.obstacle_rows:
                if hits[item]:
                    found.append(reason)
                    break
            for builds, reason in self.goals:
                if builds[item]:
                    found.append(reason)
                    break
            if item in notes:
                found.append(notes[item])
            if novel[item]:
                found.append(self.novelty_reason)
            if remote is not None and remote[item]:
                found.append("Works over a call")
            if conversation[item] and len(found) < MAX_REASONS:
                found.append(self.turns_reason)
            out.append(tuple(found[:MAX_REASONS]))
        return out

    def _fit_reason(self, item: int, scores: Sequence[float]) -> str:
        """Why it fits each person. Clauses are ordered by name, so swapping the
        two people leaves the text unchanged."""
        key = (
            self.interest_hits[0].get(item),
            self.interest_hits[1].get(item),
            self.facts.strongest[item],
        )
        texts = self._fit_texts.get(key)
        if texts is None:
            texts = self._fit_texts[key] = self._compose_fit(*key)
        # (if only one of them has a clause: whether it fits the other one too)
        return texts[min(scores) >= 0.5]

    def _compose_fit(self, word_a: str | None, word_b: str | None, kind: int) -> tuple[str, str]:
        """The fit reason as (when the other person's fit is low, when it is good)."""
        found = [
            (self.people[w].name, *self._person_reason(w, word, kind))
            for w, word in ((0, word_a), (1, word_b))
        ]
        found.sort(key=lambda f: (f[0], f[1], f[2] or ""))
        (name_1, kind_1, text_1), (name_2, kind_2, text_2) = found
        if kind_1 == kind_2 and kind_1 not in ("interest", "none"):
            text = f"Both {name_1} and {name_2} value {kind_1} closeness"
        elif kind_1 == kind_2 == "interest" and word_a == word_b:
            text = f"Both {name_1} and {name_2} enjoy {word_a}"
        elif text_1 and text_2:
            text = f"{text_1}; {text_2}"
        elif text_1 or text_2:
            other = name_2 if text_1 else name_1
            return (
                f"{text_1 or text_2}; something new for {other} to share",
                f"{text_1 or text_2}; a good fit for {other} too",
            )
        else:
            text = f"{_TYPE_NAMES[kind].capitalize()} closeness for {name_1} and {name_2}"
        return text, text

    def safety_reasons(self) -> tuple[str, ...]:
        """The reason every safety suggestion carries."""
        return (SAFETY_REASON,)
