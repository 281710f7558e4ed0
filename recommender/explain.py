"""Short reasons for each suggestion, naming both people.

Explanations that mention every member work best for groups and longer ones do
not help (see RESEARCH.md), so each suggestion gets one to three short
sentences: why it fits each person, what it does for the pair's situation,
and what else stands out (new and exciting, works over a call, history).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .features import TextSpace
from .schema import (
    Activity,
    IntimacyType,
    Obstacle,
    PairContext,
    PersonProfile,
    Practice,
    Relationship,
)
from .text import related_words

__all__ = ["MAX_REASONS", "Explainer"]

MAX_REASONS = 3
#: TF-IDF weight an interest's words need in an activity's text to be named as a reason.
INTEREST_MENTION = 0.15
_TYPES = tuple(IntimacyType)
STRONG_WEIGHT = 0.65

_OBSTACLE_REASON = {
    Obstacle.trust: "A gentle step while trust grows",
    Obstacle.attachment: "Predictable and low-pressure, so it feels safe to show up",
    Obstacle.communication: "Practises listening and saying things clearly",
    Obstacle.criticism: "Puts appreciation first, a counterweight to criticism",
    Obstacle.mental_health: "Easy on energy and low on pressure",
}

SAFETY_REASON = (
    "You mentioned fear, coercion or violence: closer suggests help for one person, "
    "not joint activities. It is not a crisis service; in danger, call your local "
    "emergency number"
)
SUPPORT_REASON = "Support is there too: closer is not therapy"


@dataclass(frozen=True)
class _Interests:
    """A person's interest words, each with the activities that really mention it."""

    words: tuple[str, ...]
    mentions: tuple[npt.NDArray[np.bool_], ...]


def _word_mentions(text: TextSpace, word: str) -> npt.NDArray[np.bool_] | None:
    """Which activities really mention an interest word: its terms' TF-IDF weight in the
    activity's text reaches :data:`INTEREST_MENTION`. None when no catalogue word matches.

    Computed once per word through the postings and kept with the text space, since
    the same interests come back pair after pair.
    """
    cache: dict[str, npt.NDArray[np.bool_] | None] = text.__dict__.setdefault("_mentions", {})
    if word not in cache:
        if len(cache) >= 4096:
            cache.clear()
        terms, _ = text.encode(related_words(word))
        if len(terms) == 0:
            cache[word] = None
        else:
            flat, _ = text.postings(terms)
            weight = np.bincount(
                text.col_items[flat], weights=text.col_weights[flat], minlength=text.n_items
            )
            cache[word] = weight >= INTEREST_MENTION
    return cache[word]


class Explainer:
    """Builds reasons for one pair; made once per pair, asked once per suggestion."""

    def __init__(
        self,
        a: PersonProfile,
        b: PersonProfile,
        ctx: PairContext,
        text: TextSpace,
        obstacle_hits: npt.NDArray[np.bool_],
        notes: dict[int, str] | None = None,
    ) -> None:
        self.people = (a, b)
        self.ctx = ctx
        self.text = text
        self.obstacle_hits = obstacle_hits  # (5, n) from emphasis.obstacle_matches
        self.notes = notes or {}
        self.interests = tuple(self._interests(p) for p in self.people)
        self.values = tuple({t: p.intimacy.get(t, 0.5) for t in _TYPES} for p in self.people)
        # Per-pair phrases, fixed in enum order so the text never depends on set order.
        self.obstacle_rows = [
            (row, _OBSTACLE_REASON[o]) for row, o in enumerate(Obstacle) if o in ctx.obstacles
        ]
        self.goals = [t for t in _TYPES if t in ctx.goals]
        who = "couples" if ctx.relationship is Relationship.romantic else "people"
        self.novelty_reason = f"New and exciting: novel shared activities bring {who} closer"
        first, second = sorted((a.name, b.name))
        self.turns_reason = f"Take turns: {first} and {second} both answer each question"

    def _interests(self, person: PersonProfile) -> _Interests:
        words, mentions = [], []
        for word in person.interests:
            mask = _word_mentions(self.text, word)
            if mask is not None:
                words.append(word)
                mentions.append(mask)
        return _Interests(tuple(words), tuple(mentions))

    def _person_reason(self, who: int, item: int, kind: IntimacyType) -> tuple[str, str | None]:
        """(kind, text): an interest hit beats a strongly valued type."""
        person = self.people[who]
        interests = self.interests[who]
        for word, mentions in zip(interests.words, interests.mentions, strict=True):
            if mentions[item]:  # a real match, not a passing mention
                return "interest", f"{person.name} enjoys {word}"
        if self.values[who][kind] >= STRONG_WEIGHT:
            return kind.value, f"{person.name} values {kind.value} closeness"
        return "none", None

    def reasons(
        self, activity: Activity, item: int, scores: Sequence[float], support: bool = False
    ) -> tuple[str, ...]:
        """One to three reasons for suggesting ``activity`` (catalogue row ``item``)."""
        out: list[str] = [self._fit_reason(activity, item, scores)]
        if support:
            out.append(SUPPORT_REASON)
        for row, reason in self.obstacle_rows:
            if self.obstacle_hits[row, item]:
                out.append(reason)
                break
        for goal in self.goals:
            if activity.intimacy.get(goal, 0.0) >= 0.5:
                out.append(f"Grows the {goal.value} closeness you want")
                break
        if item in self.notes:
            out.append(self.notes[item])
        if activity.novelty == 3:
            out.append(self.novelty_reason)
        if self.ctx.remote and activity.remote:
            out.append("Works over a call")
        if activity.practice is Practice.conversation and len(out) < MAX_REASONS:
            out.append(self.turns_reason)
        return tuple(out[:MAX_REASONS])

    def _fit_reason(self, activity: Activity, item: int, scores: Sequence[float]) -> str:
        """Why it fits each person. Clauses are ordered by name, so swapping the
        two people leaves the text unchanged."""
        kind = activity.strongest_type
        found = [(self.people[w].name, *self._person_reason(w, item, kind)) for w in (0, 1)]
        found.sort(key=lambda f: (f[0], f[1], f[2] or ""))
        (name_1, kind_1, text_1), (name_2, kind_2, text_2) = found
        if kind_1 == kind_2 and kind_1 not in ("interest", "none"):
            return f"Both {name_1} and {name_2} value {kind_1} closeness"
        if (
            kind_1 == kind_2 == "interest"
            and text_1
            and text_2
            and text_1.split(" enjoys ", 1)[1] == text_2.split(" enjoys ", 1)[1]
        ):
            return f"Both {name_1} and {name_2} enjoy {text_1.split(' enjoys ', 1)[1]}"
        if text_1 and text_2:
            return f"{text_1}; {text_2}"
        if text_1 or text_2:
            other = name_2 if text_1 else name_1
            fits_other = min(scores) >= 0.5
            return (
                f"{text_1 or text_2}; a good fit for {other} too"
                if fits_other
                else f"{text_1 or text_2}; something new for {other} to share"
            )
        return f"{activity.strongest_type.value.capitalize()} closeness for {name_1} and {name_2}"

    def safety_reasons(self) -> tuple[str, ...]:
        """The reason every safety suggestion carries."""
        return (SAFETY_REASON,)
