"""The bundled catalogue covers what issue 16 asks to add, with the rules each part needs."""

from __future__ import annotations

import re

import recommender as rc

R = rc.Relationship
#: Words that show a prompt is about the other person or the pair, not a general topic.
ABOUT_THE_PAIR = re.compile(
    r"\b(I|I'm|I'd|I've|I'll|me|my|mine|myself|we|we're|we've|we'd|we'll|us|our|ours|"
    r"ourselves|each other|one another|partner|the other|together|both of you)\b",
    re.I,
)


def only(bundled: rc.Catalog, *relationships: R) -> list[rc.Activity]:
    return [a for a in bundled if a.relationships == set(relationships)]


def test_at_least_a_hundred_prompts_are_light(bundled):
    assert sum(len(a.prompts) for a in bundled if a.depth == 1) >= 100


def test_two_prompts_in_five_are_about_the_other_person_or_the_pair(bundled):
    prompts = [p for a in bundled for p in a.prompts]
    about_pair = [p for p in prompts if ABOUT_THE_PAIR.search(p)]
    assert len(about_pair) / len(prompts) >= 0.4


def test_repair_items_exist_and_favour_calm_formats(bundled):
    repair = [a for a in bundled if a.practice is rc.Practice.repair]
    assert len(repair) >= 15
    assert all("conflict" in a.tags for a in repair)
    assert all(a.aftercare for a in repair if a.depth >= 4)


def test_desire_topics_are_for_opted_in_adult_romantic_pairs_only(bundled):
    desire = [a for a in bundled if a.opt_in is rc.OptIn.desire]
    assert len(desire) >= 4
    for a in desire:
        assert a.relationships == {R.romantic}, a.id
        assert a.adults_only, a.id


def test_parent_and_teen_items_suit_a_twelve_year_old(bundled):
    items = only(bundled, R.parent_child)
    assert len(items) >= 25
    for a in items:
        assert a.depth <= 3 and not a.adults_only and a.opt_in is None, a.id
        assert a.contact is not rc.Contact.affectionate, a.id


def test_siblings_and_colleagues_have_their_own_items(bundled):
    siblings = only(bundled, R.siblings) + only(bundled, R.siblings, R.family)
    assert len(siblings) >= 15
    colleagues = only(bundled, R.colleagues)
    assert len(colleagues) >= 40
    assert all(a.contact is rc.Contact.none and a.depth <= 3 for a in colleagues)


def test_new_parent_items_are_gated_on_a_new_baby(bundled):
    baby = [a for a in bundled if a.situational is rc.Situation.new_baby]
    assert len(baby) >= 4
    assert all(a.relationships == {R.romantic} for a in baby)


def test_daily_rituals_take_ten_minutes_or_less_and_a_daily_question_pool_exists(bundled):
    rituals = [a for a in bundled if "ritual" in a.tags and a.minutes <= 10]
    assert len(rituals) >= 10
    daily = [a for a in rituals if a.practice is rc.Practice.conversation]
    assert sum(len(a.prompts) for a in daily) >= 20


def test_long_distance_items_work_apart(bundled):
    apart = [a for a in bundled if "long-distance" in a.tags]
    assert len(apart) >= 5
    assert all(a.remote for a in apart)
