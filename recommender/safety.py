"""The safety screen: individual support chosen for the situation and the region.

When someone reports fear, coercion or violence (``--safety-concern``, a named
:class:`Concern`, or ``safety_concern`` in their own profile), closer suggests
nothing to do together. It shows support for that one person instead: real
services for their situation where they live (``recommender/resources.yaml``),
crisis lines always, then the catalogue's individual support items.

Privacy: nothing here logs, stores or returns the concern to anyone but the
caller. A profile's own ``safety_concern`` never reaches the other person:
a joint call with it gets no suggestions and a neutral message (see the CLI).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .constraints import is_minor_pair
from .errors import ConfigError
from .schema import Activity, PairContext, PersonProfile, Region, Relationship

if TYPE_CHECKING:
    from .model import Recommender

__all__ = [
    "ELDER_AGE",
    "Concern",
    "SupportPlan",
    "SupportRecord",
    "SupportService",
    "default_concern",
    "screen",
    "services",
    "services_for",
]

#: Age from which a relative's fear in a family pair defaults to elder abuse.
ELDER_AGE = 65


class Concern(str, Enum):
    """What kind of help someone who reports a safety concern needs."""

    partner_abuse = "partner_abuse"
    """Abuse by a partner or ex-partner."""
    sexual_violence = "sexual_violence"
    """Rape, sexual assault or abuse, at any time."""
    young_person = "young_person"
    """A child or teenager afraid of a parent, carer or anyone else."""
    workplace = "workplace"
    """Harassment or bullying at work."""
    elder_abuse = "elder_abuse"
    """An older person harmed or exploited by someone they should be able to trust."""
    own_behaviour = "own_behaviour"
    """Worried about one's own behaviour: programmes that help people stop."""
    crisis = "crisis"
    """Immediate danger or thoughts of suicide (always shown with the others too)."""


_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]


class SupportService(BaseModel):
    """A real support service: who runs it, where, for what, and how to reach it.

    Examples
    --------
    >>> [s.name for s in services() if s.id == "uk-samaritans"]
    ['Samaritans']
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
    """Stable slug."""
    name: _Text
    """The service's own name."""
    region: Region
    """Where it operates (international: a directory or a number that works widely)."""
    concerns: frozenset[Concern] = Field(min_length=1)
    """The situations it serves."""
    description: _Text
    """What it is for and for whom, in plain words."""
    phone: Annotated[str, StringConstraints(pattern=r"^[0-9][0-9 -]{1,19}$")] | None = None
    """A phone number, only where it is certain and current."""
    text: _Text | None = None
    """How to reach it by text message, where it offers that."""
    website: Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$")] | None = None
    """Its website."""


class _ServiceFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    services: tuple[SupportService, ...]


@cache
def services() -> tuple[SupportService, ...]:
    """Every bundled support service, in file order (read once, validated).

    Examples
    --------
    >>> {s.region.value for s in services()} == {"uk", "us", "international"}
    True
    """
    text = (resources.files("recommender") / "resources.yaml").read_text(encoding="utf-8")
    return _ServiceFile.model_validate(yaml.safe_load(text)).services


def services_for(concern: Concern | str, region: Region | str | None) -> list[SupportService]:
    """The services to show for ``concern`` in ``region``, best first.

    The region's own services for the concern come first, then the
    international fallback for it, then the region's crisis lines (always).

    Examples
    --------
    >>> [s.id for s in services_for("young_person", "uk")][:2]
    ['uk-childline', 'uk-nspcc']
    >>> services_for("crisis", None)[0].id
    'intl-emergency'
    """
    try:
        concern, region = Concern(concern), Region(region or Region.international)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    places = [region] if region is Region.international else [region, Region.international]
    wanted = [(concern, place) for place in places] + [(Concern.crisis, region)]
    chosen: list[SupportService] = []
    for need, place in wanted:
        chosen += [
            s for s in services() if s.region is place and need in s.concerns and s not in chosen
        ]
    return chosen


def default_concern(
    a: PersonProfile, b: PersonProfile | None = None, ctx: PairContext | None = None
) -> Concern:
    """The likeliest kind of help from who the two are, when no one named it.

    Anyone under 18: child and youth helplines. Otherwise romantic: partner
    abuse; colleagues: the workplace; an older adult among relatives: elder
    abuse; anything else: crisis lines.

    Examples
    --------
    >>> teen = PersonProfile(name="T", age=15)
    >>> default_concern(teen, None, PairContext(relationship="parent-child")).value
    'young_person'
    >>> default_concern(PersonProfile(name="A"), None, PairContext()).value
    'partner_abuse'
    """
    ctx = PairContext() if ctx is None else ctx
    other = a if b is None else b
    relationship = ctx.relationship
    if is_minor_pair(a, other):
        return Concern.young_person
    if relationship is Relationship.romantic:
        return Concern.partner_abuse
    if relationship is Relationship.colleagues:
        return Concern.workplace
    older = any(p.age is not None and p.age >= ELDER_AGE for p in (a, other))
    if older and relationship is not Relationship.friends:
        return Concern.elder_abuse
    return Concern.crisis


class SupportRecord(BaseModel):
    """One entry of the support list as programs get it (``--json``): no fit scores."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["service", "activity"]
    """A support service, or an individual support item from the catalogue."""
    id: str
    """The service's or activity's id."""
    title: str
    """Its name."""
    description: str
    """What it is and what it helps with."""
    practice: Literal["support"] = "support"
    """Always ``support``: nothing here is a joint activity."""
    region: Region | None = None
    """Where a service operates (None for catalogue items)."""
    phone: str | None = None
    """A phone number, only where it is certain."""
    text: str | None = None
    """How to reach a service by text message."""
    website: str | None = None
    """A service's website."""
    steps: tuple[str, ...] = ()
    """What to do, in order (catalogue items)."""
    tags: tuple[str, ...] = ()
    """The catalogue item's tags."""
    reasons: tuple[str, ...] = ()
    """Why it is shown (the same words for every entry)."""
    aftercare: str | None = None
    """A catalogue item's aftercare note, when it has one."""


class SupportPlan(BaseModel):
    """What the safety screen shows one person: services, then individual support."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    concern: Concern
    """The kind of help it was chosen for (shown only to the person who asked)."""
    region: Region
    """The region the services were chosen for."""
    services: tuple[SupportService, ...]
    """Services for the concern, then the international fallback, then crisis lines."""
    activities: tuple[Activity, ...]
    """Individual support items from the catalogue."""
    reason: str
    """The one reason every entry carries."""

    def records(self) -> list[SupportRecord]:
        """The plan as JSON-ready records, services first."""
        reasons = (self.reason,)
        out = [
            SupportRecord(
                kind="service",
                id=s.id,
                title=s.name,
                description=s.description,
                region=s.region,
                phone=s.phone,
                text=s.text,
                website=s.website,
                reasons=reasons,
            )
            for s in self.services
        ]
        out += [
            SupportRecord(
                kind="activity",
                id=a.id,
                title=a.title,
                description=a.description,
                steps=a.steps,
                tags=a.tags,
                reasons=reasons,
                aftercare=a.aftercare,
            )
            for a in self.activities
        ]
        return out


#: Catalogue tags that put an individual support item first for a concern; items
#: tagged domestic-violence go last unless the concern is a partner's abuse.
_FIRST_TAGS = {
    Concern.partner_abuse: frozenset({"domestic-violence"}),
    Concern.crisis: frozenset({"crisis"}),
    Concern.young_person: frozenset({"crisis"}),
    Concern.own_behaviour: frozenset({"counselling"}),
}


def _ordered(activities: Sequence[Activity], concern: Concern) -> tuple[Activity, ...]:
    first = _FIRST_TAGS.get(concern, frozenset())
    late = frozenset() if concern is Concern.partner_abuse else frozenset({"domestic-violence"})
    return tuple(
        sorted(
            activities,
            key=lambda a: (bool(late & set(a.tags)), not (first & set(a.tags))),
        )
    )


def screen(
    model: Recommender,
    person: PersonProfile,
    other: PersonProfile | None = None,
    ctx: PairContext | None = None,
    *,
    concern: Concern | str | None = None,
    k: int = 5,
) -> SupportPlan:
    """Individual support for ``person``: services for the situation, then ``k`` items.

    ``concern`` names the situation; without it :func:`default_concern` picks
    one from the relationship and ages. The region is the context's, else the
    person's, else the other's, else international.

    Examples
    --------
    >>> import recommender as rc
    >>> model = rc.Recommender().fit(rc.default_catalog())
    >>> teen = rc.PersonProfile(name="Sam", age=14, region="uk")
    >>> plan = screen(model, teen, ctx=rc.PairContext(relationship="parent-child"))
    >>> plan.concern.value, plan.services[0].name
    ('young_person', 'Childline')
    """
    ctx = PairContext() if ctx is None else ctx
    try:
        chosen = default_concern(person, other, ctx) if concern is None else Concern(concern)
    except ValueError as exc:
        raise ConfigError(f"concern: {exc}") from None
    region = ctx.region or person.region or (other.region if other else None)
    region = region or Region.international
    ctx = ctx.model_copy(update={"safety_concern": True})
    found = model.recommend(person, person if other is None else other, ctx, k=k)
    from .explain import SAFETY_REASON

    return SupportPlan(
        concern=chosen,
        region=region,
        services=tuple(services_for(chosen, region)),
        activities=_ordered([s.activity for s in found], chosen),
        reason=SAFETY_REASON,
    )
