"""The data closer reads and returns: enums and frozen pydantic models.

Everything at the library's edges is validated here (``extra="forbid"``, ranges,
the catalogue's content rules); inside the hot path the same facts live as
numpy arrays (see :mod:`recommender.features`).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .errors import Problem, ProfileError, UnknownActivityError

__all__ = [
    "Activity",
    "Catalog",
    "Contact",
    "Energy",
    "IntimacyType",
    "Obstacle",
    "OptIn",
    "PairContext",
    "PersonProfile",
    "Practice",
    "Presence",
    "Region",
    "Relationship",
    "Setting",
    "Situation",
    "Suggestion",
    "json_schema",
]


class IntimacyType(str, Enum):
    """The five ways people grow close."""

    physical = "physical"
    emotional = "emotional"
    experiential = "experiential"
    spiritual = "spiritual"
    intellectual = "intellectual"


class Relationship(str, Enum):
    """Who the two people are to each other.

    ``family`` means other adult relatives (cousins, an aunt and her adult
    nephew, in-laws); older files that said ``family`` for any relatives keep
    loading with that meaning.
    """

    romantic = "romantic"
    friends = "friends"
    family = "family"
    colleagues = "colleagues"
    # Added later: kept last so the relationship bits of saved models do not move.
    parent_child = "parent-child"
    siblings = "siblings"


#: Age under which a person is a minor; a pair with a minor in it is a minor pair.
ADULT_AGE = 18


class Presence(str, Enum):
    """Whether an activity is done in one place, apart (over a call), or either way."""

    together = "together"
    apart = "apart"
    either = "either"


class Situation(str, Enum):
    """A life event some activities are written for; they are suggested only when it is named."""

    loved_one_dying = "loved_one_dying"
    bereavement = "bereavement"
    serious_illness = "serious_illness"
    new_baby = "new_baby"
    moving_home = "moving_home"
    job_loss = "job_loss"
    caring = "caring"


class Region(str, Enum):
    """Where a person lives, to choose support services that operate there."""

    uk = "uk"
    us = "us"
    international = "international"


class OptIn(str, Enum):
    """Topics shown only when both people opted in (never to a minor pair)."""

    desire = "desire"


class Practice(str, Enum):
    """How an activity builds closeness."""

    connect = "connect"
    appreciation = "appreciation"
    conversation = "conversation"
    shared_experience = "shared_experience"
    emotions = "emotions"
    listening = "listening"
    affection = "affection"
    support = "support"
    # Added later: kept last so the practice codes of saved models do not move.
    repair = "repair"


class Obstacle(str, Enum):
    """What stands in the way of closeness right now."""

    trust = "trust"
    attachment = "attachment"
    communication = "communication"
    criticism = "criticism"
    mental_health = "mental_health"


class Energy(str, Enum):
    """How much energy an activity takes (or a person has)."""

    low = "low"
    medium = "medium"
    high = "high"


class Setting(str, Enum):
    """Where an activity happens."""

    indoor = "indoor"
    outdoor = "outdoor"
    any = "any"


class Contact(str, Enum):
    """The most touch an activity involves, ordered none < casual < affectionate."""

    none = "none"
    casual = "casual"
    affectionate = "affectionate"


#: Order of :class:`Contact` and :class:`Energy` levels, for comparisons.
CONTACT_LEVEL = {Contact.none: 0, Contact.casual: 1, Contact.affectionate: 2}
ENERGY_LEVEL = {Energy.low: 0, Energy.medium: 1, Energy.high: 2}

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,63}$"
TAG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"


def _not_bool(value: Any) -> Any:
    # pydantic reads True as 1; a yes/no answer in a number field is a mistake.
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number, got {value!r}")
    return value


Int = Annotated[int, BeforeValidator(_not_bool)]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _no_control(value: str) -> str:
    # Text reaches terminals: an escape sequence in a name could rewrite the screen.
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


NoControl = AfterValidator(_no_control)
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Tag = Annotated[str, StringConstraints(pattern=TAG_PATTERN)]
Weight = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Word = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), NoControl
]
Line = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), NoControl
]
Aftercare = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=800), NoControl
]


def _field_docs(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    """Each field's JSON Schema description, from the docstring under it (the
    ``json_schema_extra`` of the models here).

    pydantic's ``use_attribute_docstrings`` does the same, but it reads and
    parses each model's source when the class is made, on every import: a
    sixth of the first use's time (see README "Performance"). Here the source
    is read only when a schema is asked for; a field's own description wins.
    """
    properties = schema.get("properties", {})
    for name, doc in _attribute_docs(cls).items():
        field = properties.get(name)
        if isinstance(field, dict) and "description" not in field:
            field["description"] = doc


@functools.cache
def _attribute_docs(cls: type[BaseModel]) -> dict[str, str]:
    """Field name -> the string right under its annotation, cleaned like a docstring,
    for the model and the models it extends."""
    import ast
    import inspect
    import itertools
    import textwrap

    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not issubclass(klass, BaseModel) or klass is BaseModel:
            continue
        try:
            source = textwrap.dedent(inspect.getsource(klass))
        except (OSError, TypeError):  # no source (a frozen app): descriptions are left out
            continue
        body = getattr(ast.parse(source).body[0], "body", [])
        for first, second in itertools.pairwise(body):
            if (
                isinstance(first, ast.AnnAssign)
                and isinstance(first.target, ast.Name)
                and isinstance(second, ast.Expr)
                and isinstance(second.value, ast.Constant)
                and isinstance(second.value.value, str)
            ):
                docs[first.target.id] = inspect.cleandoc(second.value.value)
    return docs


# defer_build: a model's validator is built when it is first used, so importing the
# library does not build the ones a program never touches.
_FROZEN = ConfigDict(extra="forbid", frozen=True, defer_build=True, json_schema_extra=_field_docs)

# ---------------------------------------------------------------- people's own fields

#: Characters a name must not hold even though they print nothing: line and paragraph
#: breaks and tabs (a name would forge output lines) and bidirectional controls (they
#: reorder the text shown after them).
_NAME_FORBIDDEN = re.compile("[\t\n\r\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: Format characters (zero-width space, joiners, BOM) and spaces: not enough for a name.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060\ufeff\\s]")


def _plain_name(value: str) -> str:
    """A name is shown inside lines of output: one line, visible, in reading order."""
    if _NAME_FORBIDDEN.search(value):
        raise ValueError("must not contain line breaks, tabs or bidirectional text controls")
    if not _INVISIBLE.sub("", value):
        raise ValueError("must contain a visible character (not only zero-width characters)")
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=60),
    NoControl,
    AfterValidator(_plain_name),
]

#: Validation context of a profile or context built in Python (``PersonProfile(...)``).
_FROM_PYTHON = {"from_python": True}


#: Text pydantic's lax mode would quietly turn into True/False.
_FLAG_WORDS = frozenset({"0", "1", "off", "on", "f", "t", "false", "true", "n", "y", "no", "yes"})


def _would_convert(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _FLAG_WORDS:
        return True
    try:
        float(lowered)
    except ValueError:
        return False
    return True


def _typed_in_python(value: Any, info: ValidationInfo) -> Any:
    """Built in Python, a number or flag must already be one: "0.9" and "yes" are refused.

    Files (YAML, JSON, answers) keep pydantic's usual conversions: their loaders
    validate without this context. Text pydantic would refuse anyway keeps
    pydantic's own message.
    """
    from_python = isinstance(info.context, dict) and info.context.get("from_python")
    if from_python and isinstance(value, str) and _would_convert(value):
        raise ValueError("expected a number or True/False, not text (text is read from files only)")
    return value


_Typed = BeforeValidator(_typed_in_python)


class ProfileValidationError(ValidationError, ProfileError):
    """A profile or context built in Python is invalid: pydantic's error, also a
    :class:`~recommender.errors.ProfileError` (so a :class:`RecommenderError`).

    Pydantic's message and ``errors()`` are kept; ``problems`` lists each fault
    as closer's loaders report them.

    Examples
    --------
    >>> try:
    ...     PersonProfile(name="Ana", max_depth="3")
    ... except ProfileError as exc:
    ...     print(exc.problems[0])
    PersonProfile: field 'max_depth': expected a number or True/False, not text (text is read \
from files only), got '3'
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # pydantic builds the message; only closer's own record of the faults is set here.
        self.problems: tuple[Problem, ...] = ()


def _profile_error(model: type[BaseModel], exc: ValidationError) -> ProfileValidationError:
    error = ProfileValidationError.from_exception_data(
        exc.title,
        exc.errors(include_url=False),  # type: ignore[arg-type]
    )
    error.problems = tuple(
        Problem(
            str(e["msg"]).removeprefix("Value error, "),
            item=model.__name__,
            field=".".join(str(p) for p in e["loc"]) or None,
            value=e.get("input"),
        )
        for e in exc.errors(include_url=False)
    )
    return error


class _BuiltInPython(BaseModel):
    """Base of models people build in Python: strict about text, errors are ProfileError."""

    def __init__(self, /, **data: Any) -> None:
        try:
            self.__pydantic_validator__.validate_python(
                data, self_instance=self, context=_FROM_PYTHON
            )
        except ValidationError as exc:
            raise _profile_error(type(self), exc) from None

    # Tells pydantic this __init__ only wraps its own: model_validate (the file loaders)
    # keeps validating directly, without this context, as pydantic's RootModel does.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]


class Activity(BaseModel):
    """One catalogue entry: a shared activity and how it builds closeness.

    Examples
    --------
    >>> a = Activity(id="cook-new-dish", title="Cook a dish neither of you has tried",
    ...              description="Pick a recipe together and cook it side by side.",
    ...              intimacy={"experiential": 0.9}, practice="shared_experience",
    ...              relationships={"romantic", "friends"}, depth=1, minutes=90)
    >>> a.strongest_type.value
    'experiential'
    """

    model_config = _FROZEN

    id: Slug
    """Stable key: lowercase letters, digits and dashes, 2-64 characters."""
    title: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), NoControl
    ]
    """Short name that starts with a verb."""
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000), NoControl
    ]
    """What to do and why it brings people closer, in plain words."""
    intimacy: dict[IntimacyType, Weight]
    """How strongly it builds each intimacy type (0..1; at least one >= 0.5)."""
    practice: Practice
    """How it builds closeness."""
    tags: tuple[Tag, ...] = ()
    """Lowercase slugs from the catalogue's tag vocabulary (cooking, music, ...)."""
    relationships: frozenset[Relationship] = Field(min_length=1)
    """Who it suits: romantic, friends, family, colleagues."""
    depth: Int = Field(ge=1, le=5)
    """Vulnerability asked: 1 light and playful ... 5 deeply personal."""
    minutes: Int = Field(ge=1, le=1440)
    """Typical duration in minutes."""
    cost: Int = Field(default=0, ge=0, le=3)
    """0 free, 1 low, 2 medium, 3 high."""
    energy: Energy = Energy.medium
    """Energy it takes."""
    setting: Setting = Setting.any
    """Indoor, outdoor or either."""
    remote: bool = False
    """Works apart, over a call."""
    contact: Contact = Contact.none
    """The most touch it involves."""
    accessible: bool = False
    """Doable with limited mobility."""
    novelty: Int = Field(default=2, ge=1, le=3)
    """1 everyday, 2 fresh, 3 new and exciting."""
    steps: tuple[Line, ...] = ()
    """How to do it, in order (optional)."""
    prompts: tuple[Line, ...] = ()
    """Questions to ask each other; at least 3 when the practice is conversation."""
    presence: Presence | None = None
    """together, apart (only over a call) or either; unset: either if remote, else together."""
    aftercare: Aftercare | None = None
    """How to pause or pass, and where to turn if something hard comes up (depth >= 4)."""
    situational: Situation | None = None
    """The life event this item is for; suggested only when a profile or context names it."""
    adults_only: bool = False
    """Never for a pair with a minor in it (prompts about secrets, trauma, scars, ...)."""
    safety_gated: bool = False
    """Could be misused by a controlling partner: never shown when trust is an obstacle."""
    opt_in: OptIn | None = None
    """A topic both people must opt into in their profiles (never for minors)."""

    @field_validator("intimacy")
    @classmethod
    def _one_strong_type(cls, value: dict[IntimacyType, float]) -> dict[IntimacyType, float]:
        if not value or max(value.values()) < 0.5:
            raise ValueError("at least one intimacy type must be >= 0.5")
        return value

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(value))

    @model_validator(mode="after")
    def _content_rules(self) -> Activity:
        rels = self.relationships
        if self.contact is Contact.affectionate and rels != {Relationship.romantic}:
            raise ValueError(
                "contact 'affectionate' is only allowed when relationships is exactly "
                f"[romantic], got {sorted(r.value for r in rels)}"
            )
        if Relationship.colleagues in rels:
            if self.contact is not Contact.none:
                raise ValueError(
                    f"activities for colleagues must have contact 'none', "
                    f"got {self.contact.value!r}"
                )
            if self.depth > 3:
                raise ValueError(
                    f"activities for colleagues must have depth <= 3, got {self.depth}"
                )
        if self.practice is Practice.conversation and len(self.prompts) < 3:
            raise ValueError(
                f"conversation activities need at least 3 prompts, got {len(self.prompts)}"
            )
        self._presence_rules()
        return self

    def _presence_rules(self) -> None:
        if self.presence is None:
            derived = Presence.either if self.remote else Presence.together
            self.__dict__["presence"] = derived  # frozen: set once, while validating
        elif (self.presence is Presence.together) == self.remote:
            raise ValueError(
                f"presence {self.presence.value!r} contradicts remote {self.remote}: "
                "'together' needs remote false, 'apart' and 'either' need remote true"
            )

    def model_post_init(self, context: Any, /) -> None:
        # A catalogue may hold a million activities. Share the parts that repeat
        # across them (which fields were given, relationship sets, intimacy mixes,
        # tag tuples) instead of keeping a copy per activity: about 1.5 KB each.
        # All of them are read-only here (the model is frozen; pydantic copies the
        # field set on model_copy).
        values = self.__dict__
        for name in ("relationships", "tags"):
            values[name] = _share(values[name])
        values["intimacy"] = _share_mapping(values["intimacy"])
        object.__setattr__(self, "__pydantic_fields_set__", _share_fields(self.model_fields_set))

    @property
    def strongest_type(self) -> IntimacyType:
        """The intimacy type with the highest weight (ties: the order of the enum)."""
        best = max(self.intimacy.items(), key=lambda kv: (kv[1], -_TYPE_ORDER[kv[0]]))
        return best[0]


_TYPE_ORDER = {t: i for i, t in enumerate(IntimacyType)}


class FrozenDict(dict[Any, Any]):
    """A read-only dict: what activities share for their ``intimacy`` mix.

    A plain ``dict`` subclass, so pydantic validates, dumps and compares it
    like any dict; every method that would change it raises ``TypeError``.
    Sharing one mix between activities is then safe: changing one activity's
    ``intimacy`` can no longer change another's.

    Examples
    --------
    >>> mix = FrozenDict({"emotional": 0.6})
    >>> mix["emotional"] = 0.9
    Traceback (most recent call last):
    ...
    TypeError: an activity's intimacy mix is read-only; build a new Activity instead
    """

    __slots__ = ()

    def _read_only(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("an activity's intimacy mix is read-only; build a new Activity instead")

    __setitem__ = __delitem__ = _read_only
    update = pop = popitem = clear = setdefault = __ior__ = _read_only

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __copy__(self) -> FrozenDict:
        return self  # immutable: a copy would be the same value

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenDict:
        return self

    def __reduce__(self) -> tuple[type[FrozenDict], tuple[dict[Any, Any]]]:
        return FrozenDict, (dict(self),)


# Interned values: dict.setdefault is one atomic step, so threads building
# activities at once may at worst keep two equal copies, never a wrong one.
_SHARED: dict[Any, Any] = {}
_SHARED_LIMIT = 200_000  # past this many distinct values, stop sharing new ones


def _share(value: Any) -> Any:
    """One shared instance per distinct hashable value."""
    shared = _SHARED.get(value)
    if shared is None:
        if len(_SHARED) >= _SHARED_LIMIT:
            return value
        shared = _SHARED.setdefault(value, value)
    return shared


def _share_mapping(value: dict[Any, Any]) -> dict[Any, Any]:
    key = ("mapping", *sorted(value.items()))
    shared: dict[Any, Any] | None = _SHARED.get(key)
    if shared is None:
        if len(_SHARED) >= _SHARED_LIMIT:
            return FrozenDict(value)
        shared = _SHARED.setdefault(key, FrozenDict(value))
    return shared


def _share_fields(fields: set[str]) -> set[str]:
    key = ("fields", frozenset(fields))
    shared: set[str] | None = _SHARED.get(key)
    if shared is None:
        shared = _SHARED.setdefault(key, fields)  # few distinct field sets: never limited
    return shared


class Catalog(BaseModel):
    """An immutable, ordered collection of activities with unique ids.

    Examples
    --------
    >>> a = Activity(id="walk-and-talk", title="Walk and talk", description="Take a walk.",
    ...              intimacy={"experiential": 0.6}, practice="shared_experience",
    ...              relationships={"friends"}, depth=1, minutes=30)
    >>> cat = Catalog(activities=[a])
    >>> len(cat), "walk-and-talk" in cat, cat["walk-and-talk"].minutes
    (1, True, 30)
    """

    model_config = _FROZEN

    activities: tuple[Activity, ...]
    """The activities, in a stable order."""

    _index: dict[str, int] = PrivateAttr(default_factory=dict)

    @field_validator("activities")
    @classmethod
    def _unique_ids(cls, value: tuple[Activity, ...]) -> tuple[Activity, ...]:
        counts = Counter(a.id for a in value)
        dupes = sorted(i for i, n in counts.items() if n > 1)
        if dupes:
            raise ValueError(f"activity ids must be unique, repeated: {', '.join(dupes)}")
        return value

    def model_post_init(self, context: Any, /) -> None:
        self._index = {a.id: i for i, a in enumerate(self.activities)}

    def __len__(self) -> int:
        return len(self.activities)

    def __iter__(self) -> Iterator[Activity]:  # type: ignore[override]
        return iter(self.activities)

    def __contains__(self, activity_id: object) -> bool:
        return activity_id in self._index

    def __getitem__(self, activity_id: str) -> Activity:
        try:
            return self.activities[self._index[activity_id]]
        except (KeyError, TypeError):
            raise UnknownActivityError(
                f"no activity with id {activity_id!r} in the catalogue ({len(self)} activities)"
            ) from None

    @property
    def ids(self) -> tuple[str, ...]:
        """Activity ids in catalogue order."""
        return tuple(a.id for a in self.activities)


class PersonProfile(_BuiltInPython):
    """One person's preferences and limits. Each person fills in their own.

    Examples
    --------
    >>> ana = PersonProfile(name="Ana", intimacy={"emotional": 0.9}, interests=["cooking"])
    >>> ana.weight("emotional"), ana.weight("spiritual"), ana.max_depth
    (0.9, 0.5, 3)
    """

    model_config = _FROZEN

    name: Name
    """What to call the person in explanations."""
    intimacy: dict[IntimacyType, Annotated[Weight, _Typed]] = Field(default_factory=dict)
    """How much they value each intimacy type, 0..1; a missing type means 0.5."""
    interests: tuple[Word, ...] = ()
    """Free words about what they enjoy (cooking, hiking, jazz, ...)."""
    avoid: tuple[Word, ...] = ()
    """Tags or words never to suggest (a hard limit, never a low score)."""
    max_depth: Annotated[Int, _Typed] = Field(default=3, ge=1, le=5)
    """Deepest level of vulnerability they are ready for, 1..5."""
    budget: Annotated[Int, _Typed] = Field(default=1, ge=0, le=3)
    """Most they want to spend: 0 free, 1 low, 2 medium, 3 high."""
    energy: Energy | None = None
    """Energy they usually have for activities, or None for any."""
    max_contact: Contact = Contact.affectionate
    """The most touch they are comfortable with."""
    limited_mobility: Annotated[bool, _Typed] = False
    """Only suggest activities doable with limited mobility."""
    age: Annotated[Int, _Typed] | None = Field(default=None, ge=0, le=120)
    """Age in years (optional); under 18 makes the pair a minor pair, with gentler content."""
    region: Region | None = None
    """Where they live, to choose support services (uk, us, international)."""
    safety_concern: Annotated[bool, _Typed] = False
    """They feel afraid, pressured, hurt or controlled: only individual support, never shared."""
    situations: frozenset[Situation] = frozenset()
    """Life events they are in (bereavement, a new baby, ...), for situational items."""
    opt_in: frozenset[OptIn] = frozenset()
    """Topics they want included (both people must opt in; never for minors)."""

    def weight(self, intimacy_type: IntimacyType | str) -> float:
        """How much this person values ``intimacy_type`` (0.5 when unstated)."""
        return self.intimacy.get(IntimacyType(intimacy_type), 0.5)


class PairContext(_BuiltInPython):
    """The situation two people are in right now: relationship, time, place, goals.

    Examples
    --------
    >>> ctx = PairContext(relationship="friends", minutes=60, obstacles={"trust"})
    >>> ctx.relationship.value, sorted(o.value for o in ctx.obstacles)
    ('friends', ['trust'])
    """

    model_config = _FROZEN

    relationship: Relationship = Relationship.romantic
    """Who the two are to each other."""
    minutes: Annotated[Int, _Typed] | None = Field(default=None, ge=1, le=1440)
    """Time they have; activities longer than this are left out."""
    budget: Annotated[Int, _Typed] | None = Field(default=None, ge=0, le=3)
    """Shared budget cap (0..3) on top of each person's own."""
    remote: Annotated[bool, _Typed] = False
    """They are apart (long distance): only activities that work over a call."""
    setting: Setting | None = None
    """Only indoor or only outdoor activities; None for either."""
    obstacles: frozenset[Obstacle] = frozenset()
    """What stands in the way right now (trust, criticism, ...)."""
    goals: frozenset[IntimacyType] = frozenset()
    """Intimacy types the pair wants to grow."""
    safety_concern: Annotated[bool, _Typed] = False
    """Someone reports fear, coercion or violence: suggest only individual support."""
    exclude: frozenset[str] = frozenset()
    """Activity ids never to suggest this time."""
    region: Region | None = None
    """Where the pair lives, to choose support services; overrides the profiles' region."""
    situations: frozenset[Situation] = frozenset()
    """Life events the pair is in, for situational items (added to the profiles' own)."""


class Suggestion(BaseModel):
    """One ranked suggestion for a pair.

    ``scores`` holds each person's fit in the order the people were passed;
    ``score`` is the pair's, after aggregation and re-ranking adjustments.

    ``score`` never rises down a list: re-ranking (variety, fairness) may move
    an item with a higher pair score below one with a lower score, and then the
    lower item's score is capped at the one above it. Several suggestions can
    therefore share a score (with ``strategy="fair"`` often the first few): the
    list's order, not the score, is the ranking. ``reason_codes`` names each of
    ``reasons`` with a stable snake_case code, same length and order.
    """

    model_config = _FROZEN

    activity: Activity
    """The suggested activity."""
    score: Weight
    """The pair's score, 0..1."""
    scores: tuple[Weight, Weight]
    """Each person's fit, 0..1, in the order the people were passed."""
    reasons: tuple[str, ...] = ()
    """Short reasons, naming both people where it applies."""
    reason_codes: tuple[str, ...] = ()
    """A stable code per reason (``interest_match``, ``novelty``, ...), same order."""

    @classmethod
    def _trusted(
        cls,
        activity: Activity,
        score: float,
        scores: Sequence[float],
        reasons: tuple[str, ...],
        reason_codes: tuple[str, ...] = (),
    ) -> Suggestion:
        """Build without validation, for values the recommender computed itself.

        The state pydantic's ``model_construct`` leaves (a test checks they
        agree), set directly: ``model_construct`` looks up aliases and defaults
        field by field, which was a third of the Python cost of
        ``recommend_many``'s ten suggestions a pair.
        """
        made = cls.__new__(cls)
        _set = object.__setattr__
        _set(
            made,
            "__dict__",
            {
                "activity": activity,
                "score": score,
                "scores": (scores[0], scores[1]),
                "reasons": reasons,
                "reason_codes": reason_codes,
            },
        )
        _set(
            made, "__pydantic_fields_set__", _SUGGESTION_FIELDS if reason_codes else _UNCODED_FIELDS
        )
        _set(made, "__pydantic_extra__", None)
        _set(made, "__pydantic_private__", None)
        return made


_SUGGESTION_FIELDS = set(Suggestion.model_fields)
_UNCODED_FIELDS = _SUGGESTION_FIELDS - {"reason_codes"}

_SCHEMA_MODELS: Mapping[str, type[BaseModel]] = {
    "profile": PersonProfile,
    "activity": Activity,
    "context": PairContext,
    "catalog": Catalog,
    "suggestion": Suggestion,
}

SchemaName = Literal["profile", "activity", "context", "catalog", "suggestion"]


def json_schema(name: SchemaName | str) -> dict[str, Any]:
    """Return the JSON Schema of a closer document.

    Parameters
    ----------
    name : {"profile", "activity", "context", "catalog", "suggestion"}

    Examples
    --------
    >>> json_schema("profile")["properties"]["max_depth"]["maximum"]
    5
    """
    from .errors import ConfigError

    try:
        model = _SCHEMA_MODELS[name]
    except KeyError:
        raise ConfigError(
            f"schema name must be one of {', '.join(_SCHEMA_MODELS)}, got {name!r}"
        ) from None
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://closer.invalid/schema/v1/{name}.json"  # v1: output.SCHEMA_VERSION
    return schema


def slugify(text: str) -> str:
    """Turn free text into a tag-like slug (``"Board Games!" -> "board-games"``)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
