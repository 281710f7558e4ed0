"""The CLI's safety path: individual support for one person, never anything joint.

Every joint command (``suggest``, ``ask``, ``plan``) calls :func:`support_first`
before it does anything else. It answers the command itself when:

- the person running it says there is a safety concern (``--safety-concern`` or
  ``--concern KIND``), or gives only their own profile and it carries
  ``safety_concern``: support chosen for their situation and region;
- a profile carries ``safety_concern`` but the runner did not say so: closer
  cannot tell who is at the keyboard, so it suggests nothing joint and says
  only that, in words that do not say why or whose profile it is (exit 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

import recommender as rc
from recommender.cli.options import _context, _model
from recommender.cli.render import (
    EXIT_BAD_INPUT,
    EXIT_NOTHING_FITS,
    SAFETY_NOTE,
    _fail,
    _json_out,
    echo_activity,
)
from recommender.safety import Concern, SupportPlan, SupportService, screen, services_for

#: What a joint command says when a profile (not the runner) carries a safety concern.
NEUTRAL_NOTE = (
    "no joint suggestions for these two profiles. Anyone can see support for "
    "themselves with `closer help-now`"
)

CONCERN_LABEL = {
    Concern.partner_abuse: "abuse by a partner",
    Concern.sexual_violence: "sexual violence",
    Concern.young_person: "a child or teenager who is afraid",
    Concern.workplace: "harassment or bullying at work",
    Concern.elder_abuse: "harm to an older person",
    Concern.own_behaviour: "worry about your own behaviour",
    Concern.crisis: "immediate danger or thoughts of suicide",
}
REGION_LABEL = {
    rc.Region.uk: "the UK",
    rc.Region.us: "the US",
    rc.Region.international: "anywhere (international)",
}


def support_first(
    profile_a: Path,
    profile_b: Path | None,
    context: dict[str, Any],
    as_json: bool,
    catalog_path: Path | None,
    strategy: str,
) -> tuple[rc.PersonProfile, rc.PersonProfile, rc.PairContext, rc.Recommender] | None:
    """The profiles, context and model for the joint path, or None when the safety
    path answered (profiles are read before the model is loaded)."""
    ctx = _context(**context)
    a = rc.load_profile(profile_a)
    b = rc.load_profile(profile_b) if profile_b is not None else None
    if b is None and not (ctx.safety_concern or a.safety_concern):
        _fail(
            [
                "B.yaml is missing: suggestions for two people need both profiles "
                "(one profile alone works with --safety-concern)"
            ],
            EXIT_BAD_INPUT,
        )
    if b is None or ctx.safety_concern:
        model = _model(catalog_path, strategy=strategy)
        show_support(screen(model, a, b, ctx, concern=context.get("concern")), as_json)
        return None
    if a.safety_concern or b.safety_concern:
        if as_json:
            _json_out([])
        _fail([NEUTRAL_NOTE], EXIT_NOTHING_FITS)
    return a, b, ctx, _model(catalog_path, strategy=strategy)


def show_support(plan: SupportPlan, as_json: bool) -> None:
    """Support for one person: services first, then what they can do on their own."""
    if as_json:
        _json_out([r.model_dump(mode="json") for r in plan.records()])
        return
    click.echo(SAFETY_NOTE)
    click.echo("")
    click.echo(
        f"Chosen for {CONCERN_LABEL[plan.concern]}, in {REGION_LABEL[plan.region]} "
        "(choose others with --concern and --region)."
    )
    click.echo(f"{plan.reason}.")
    click.echo("")
    render_services(plan.services)
    if plan.activities:
        click.echo("")
        click.echo("Things you can do on your own:")
        click.echo("")
    for i, activity in enumerate(plan.activities, start=1):
        echo_activity(i, activity, activity.description, activity.steps)
        click.echo("")


def render_services(found: list[SupportService] | tuple[SupportService, ...]) -> None:
    """One block per service: name, how to reach it, what it is for."""
    for service in found:
        reach = [x for x in (service.phone and f"call {service.phone}", service.text) if x]
        if service.website:
            reach.append(service.website)
        click.echo(f"* {service.name}: {'; '.join(reach)}")
        click.echo(f"  {service.description}")


def help_now(region: str | None, concern: str | None, as_json: bool) -> None:
    """Services only, for anyone, with no profile and no catalogue."""
    chosen = Concern(concern) if concern else Concern.crisis
    found = services_for(chosen, region)
    if as_json:
        plan = SupportPlan(
            concern=chosen,
            region=rc.Region(region or "international"),
            services=tuple(found),
            activities=(),
            reason=_reason(),
        )
        _json_out([r.model_dump(mode="json") for r in plan.records()])
        return
    click.echo(
        "closer is not a crisis service. If you or someone else is in danger now, "
        "call your local emergency number."
    )
    click.echo("")
    render_services(found)
    click.echo("")
    click.echo(
        "Choose the help with --concern ("
        + ", ".join(c.value for c in Concern)
        + ") and where you are with --region (uk, us, international)."
    )


def _reason() -> str:
    from recommender.explain import SAFETY_REASON

    return SAFETY_REASON
