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
from .interests import matches_interest, searchable_text
from .schema import (
    Activity,
    IntimacyType,
    Obstacle,
    PairContext,
    PersonProfile,
    Relationship,
)

__all__ = ["GOOD_FIT", "MAX_REASONS", "Explainer"]

MAX_REASONS = 3
#: A person's fit must reach this to be called "a good fit" for them. 0.5 is neutral
#: (what a profile with no stated preference gets for every activity). Over the
#: suggestions themselves (top 10 for 100 pairs of varied questionnaire-style
#: profiles on the bundled catalogue) person fits have median 0.48, upper quartile
#: 0.59 and standard deviation 0.16: 0.6 is the upper quartile, a clear step above
#: neutral, so the claim holds for the best quarter of fits and never for 0.5.
GOOD_FIT = 0.6
#: (activity, interest) verdicts remembered with the model at most (the same top
#: items and interests come back pair after pair; about 150 bytes each).
MAX_REMEMBERED_MATCHES = 400_000
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

#: One reason: (its stable code, its text).
Reason = tuple[str, str]


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
        #: (row, interest as written) -> whether the row matches it.
        self.matched: dict[tuple[int, str], bool] = {}


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
        activities: Sequence[Activity] = (),
    ) -> None:
        self.people = (a, b)
        self.ctx = ctx
        self.facts = facts
        self.notes = notes or {}
        # Per person: picked item -> the first interest, as written, that the item's
        # title, tags or steps really contain (the whole phrase or a curated synonym).
        self.interest_hits: list[dict[int, str]] = [{}, {}]
        if activities and (a.interests or b.interests):
            if len(facts.matched) > MAX_REMEMBERED_MATCHES:
                facts.matched.clear()
            matched = facts.matched
            for item in picks:
                searchable = None  # made once for the item, if a verdict is not known
                for hits, person in zip(self.interest_hits, self.people, strict=True):
                    for word in person.interests:
                        found = matched.get((item, word))
                        if found is None:
                            activity = activities[item]
                            if searchable is None:
                                searchable = searchable_text(activity)
                            found = matches_interest(activity, word, searchable)
                            matched[(item, word)] = found
                        if found:
                            hits[item] = word
                            break
        # The fit reason depends on a few facts, not on the item: most of a list's
        # items share them, so each text is composed once per pair.
        self._fit_texts: dict[tuple[str | None, str | None, int], tuple[Reason, Reason]] = {}
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
    ) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """One to three reasons for each picked catalogue row, in order, each as
        (reasons, reason codes): the codes are stable snake_case names, one per reason.

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
            found: list[Reason] = [fit_reason(item, scores)]
            if item == support:
                found.append(("support", SUPPORT_REASON))
            for hits, reason in self.obstacle_rows:
                if hits[item]:
                    found.append(("obstacle_support", reason))
                    break
            for builds, reason in self.goals:
                if builds[item]:
                    found.append(("goal", reason))
                    break
            if item in notes:
                found.append(("history", notes[item]))
            if novel[item]:
                found.append(("novelty", self.novelty_reason))
            if remote is not None and remote[item]:
                found.append(("works_remotely", "Works over a call"))
            if conversation[item] and len(found) < MAX_REASONS:
                found.append(("take_turns", self.turns_reason))
            codes, texts = zip(*found[:MAX_REASONS], strict=True)  # one C call, not two loops
            out.append((texts, codes))
        return out

    def _fit_reason(self, item: int, scores: Sequence[float]) -> Reason:
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
        return texts[min(scores) >= GOOD_FIT]

    def _compose_fit(
        self, word_a: str | None, word_b: str | None, kind: int
    ) -> tuple[Reason, Reason]:
        """The fit reason as (when the other person's fit is not clearly good, when it is)."""
        found = [
            (self.people[w].name, *self._person_reason(w, word, kind))
            for w, word in ((0, word_a), (1, word_b))
        ]
        found.sort(key=lambda f: (f[0], f[1], f[2] or ""))
        (name_1, kind_1, text_1), (name_2, kind_2, text_2) = found
        if kind_1 == kind_2 and kind_1 not in ("interest", "none"):
            reason = ("both_value_type", f"Both {name_1} and {name_2} value {kind_1} closeness")
        elif kind_1 == kind_2 == "interest" and word_a == word_b:
            reason = ("interest_match", f"Both {name_1} and {name_2} enjoy {word_a}")
        elif text_1 and text_2:
            code = "interest_match" if "interest" in (kind_1, kind_2) else "values_type"
            reason = (code, f"{text_1}; {text_2}")
        elif text_1 or text_2:
            other = name_2 if text_1 else name_1
            code = "interest_match" if "interest" in (kind_1, kind_2) else "values_type"
            return (
                (code, f"{text_1 or text_2}; something new for {other} to share"),
                (code, f"{text_1 or text_2}; a good fit for {other} too"),
            )
        else:
            kind_name = _TYPE_NAMES[kind]
            reason = (
                "builds_type",
                f"{kind_name.capitalize()} closeness for {name_1} and {name_2}",
            )
        return reason, reason

    def safety_reasons(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The reason every safety suggestion carries, with its code."""
        return (SAFETY_REASON,), ("safety_support",)
