"""The short questionnaire each person answers on their own to make a profile.

Thirteen questions, about two minutes. How someone connects is asked as one
weight per intimacy type, never a single forced label: people endorse several
ways of connecting when asked separately (Impett, Park & Muise 2024).

The questions live here as data and :func:`profile_from_answers` turns answers
into a :class:`~recommender.schema.PersonProfile`; asking them is the CLI's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import Problem, ProfileError
from .profiles import parse_model
from .schema import IntimacyType, PersonProfile

__all__ = ["QUESTIONS", "SCREENING", "Question", "parse_answer", "profile_from_answers"]


@dataclass(frozen=True)
class Question:
    """One question: its key in an answers file, the text, the allowed answers."""

    key: str
    text: str
    choices: tuple[str, ...] = ()  # empty: free text
    default: str | None = None
    hint: str = ""


_SCALE = ("0", "1", "2", "3", "4")
_SCALE_HINT = "0 not at all ... 4 a lot"

QUESTIONS: tuple[Question, ...] = (
    Question("name", "What should closer call you?"),
    Question(
        "physical",
        "How close do you feel through physical presence: sitting side by "
        "side, a hug, doing something with your hands together?",
        _SCALE,
        "2",
        _SCALE_HINT,
    ),
    Question(
        "emotional",
        "How close do you feel when you share feelings and are really listened to?",
        _SCALE,
        "2",
        _SCALE_HINT,
    ),
    Question(
        "experiential",
        "How close do you feel doing new things together: an adventure, a class, a game?",
        _SCALE,
        "2",
        _SCALE_HINT,
    ),
    Question(
        "spiritual",
        "How close do you feel sharing what gives life meaning: values, awe, gratitude, faith?",
        _SCALE,
        "2",
        _SCALE_HINT,
    ),
    Question(
        "intellectual",
        "How close do you feel swapping ideas: a good debate, a book, learning something?",
        _SCALE,
        "2",
        _SCALE_HINT,
    ),
    Question(
        "interests",
        "A few things you enjoy, separated by commas (cooking, music, ...)",
        default="",
        hint="blank for none",
    ),
    Question(
        "avoid",
        "Anything you never want suggested, separated by commas (heights, alcohol, ...)",
        default="",
        hint="blank for none",
    ),
    Question(
        "max_depth",
        "How personal are you ready to get right now?",
        ("1", "2", "3", "4", "5"),
        "3",
        "1 light and playful ... 5 deeply personal",
    ),
    Question(
        "budget",
        "What may an activity cost?",
        ("0", "1", "2", "3"),
        "1",
        "0 free, 1 low, 2 medium, 3 high",
    ),
    Question(
        "energy",
        "How much energy do you usually have for activities?",
        ("low", "medium", "high", "any"),
        "any",
    ),
    Question(
        "max_contact",
        "The most touch you want in suggestions?",
        ("none", "casual", "affectionate"),
        "none",
        "casual: a hug or a high five; affectionate (partners only): holding hands",
    ),
    Question(
        "limited_mobility", "Should activities work with limited mobility?", ("no", "yes"), "no"
    ),
)

#: Asked last, on their own and unnumbered: a yes never reaches the other person's
#: output; it sets ``safety_concern`` in this person's profile, so closer offers
#: them individual support instead of joint activities.
SCREENING: tuple[Question, ...] = (
    Question(
        "safety",
        "A private question, only for you: do you sometimes feel afraid of the other "
        "person, or pressured, hurt or controlled by them?",
        ("no", "yes"),
        "no",
        "y/n; your answer changes only what closer shows you",
    ),
)

_TYPES = {t.value for t in IntimacyType}
_ALIASES = {"y": "yes", "n": "no"}
_EVERY_QUESTION = (*QUESTIONS, *SCREENING)


def parse_answer(question: Question, raw: str) -> str:
    """One typed answer, checked and normalised (any case; ``y``/``n`` for yes/no).

    Raises
    ------
    ValueError
        Saying what is allowed, to show before asking again.

    Examples
    --------
    >>> parse_answer(QUESTIONS[-1], " Y "), parse_answer(QUESTIONS[10], "LOW")
    ('yes', 'low')
    """
    if question.key == "name":
        name = raw.strip()
        if not name:
            raise ValueError("closer needs a name to call you (any name or nickname)")
        try:
            parse_model(PersonProfile, {"name": name}, "your answer")
        except ProfileError as exc:
            raise ValueError(str(exc).splitlines()[0]) from None
        return name
    if not question.choices:
        return raw
    text = raw.strip().lower()
    text = _ALIASES.get(text, text) if "yes" in question.choices else text
    if text not in question.choices:
        raise ValueError(f"{raw!r} is not one of {', '.join(question.choices)}.")
    return text


def _words(answer: Any) -> list[str]:
    if isinstance(answer, list):
        return [str(w).strip() for w in answer if str(w).strip()]
    return [w.strip() for w in str(answer or "").split(",") if w.strip()]


def profile_from_answers(answers: Mapping[str, Any], source: str | None = None) -> PersonProfile:
    """Build a profile from questionnaire answers (keys as in :data:`QUESTIONS`).

    Raises
    ------
    ProfileError
        Naming the question and the answer that is not allowed.

    Examples
    --------
    >>> p = profile_from_answers({"name": "Ana", "emotional": "4", "physical": "1",
    ...                           "interests": "cooking, music", "max_depth": "2"})
    >>> p.weight("emotional"), p.weight("physical"), p.interests, p.max_depth
    (1.0, 0.25, ('cooking', 'music'), 2)
    """
    known = {q.key for q in _EVERY_QUESTION}
    problems = [
        Problem(
            "unknown question (not part of the questionnaire)",
            source=source,
            field=key,
            value=answers[key],
        )
        for key in answers
        if key not in known
    ]
    clean: dict[str, Any] = {}
    for question in _EVERY_QUESTION:
        raw = answers.get(question.key, question.default)
        if raw is None:
            problems.append(
                Problem("needs an answer", source=source, field=question.key, has_value=False)
            )
            continue
        if isinstance(raw, bool):  # YAML reads yes/no as booleans
            raw = "yes" if raw else "no"
        text = str(raw).strip().lower() if question.choices else raw
        text = _ALIASES.get(text, text) if "yes" in question.choices else text
        if question.choices and text not in question.choices:
            problems.append(
                Problem(
                    f"must be one of {', '.join(question.choices)}",
                    source=source,
                    field=question.key,
                    value=raw,
                )
            )
            continue
        clean[question.key] = text
    if problems:
        raise ProfileError(problems)
    document: dict[str, Any] = {
        "name": str(clean["name"]).strip(),
        "intimacy": {t: int(clean[t]) / 4 for t in sorted(_TYPES)},
        "interests": _words(clean["interests"]),
        "avoid": _words(clean["avoid"]),
        "max_depth": int(clean["max_depth"]),
        "budget": int(clean["budget"]),
        "energy": None if clean["energy"] == "any" else clean["energy"],
        "max_contact": clean["max_contact"],
        "limited_mobility": clean["limited_mobility"] == "yes",
        "safety_concern": clean["safety"] == "yes",
    }
    return parse_model(PersonProfile, document, source)
