"""`closer profile new|show`: the questionnaire and profile checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

import recommender as rc
from recommender.cli.app import main
from recommender.cli.options import (
    json_option,
)
from recommender.cli.render import (
    _json_out,
    _show_profile,
)


@main.group()
def profile() -> None:
    """Make and check person profiles (each person answers on their own)."""


@profile.command("new")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the profile (default: NAME.yaml here).",
)
@click.option(
    "--answers",
    type=click.Path(path_type=Path),
    default=None,
    help="Answer from a YAML/JSON file instead of prompts (for scripts).",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def profile_new(output: Path | None, answers: Path | None, force: bool) -> None:
    """Answer 13 short questions (about two minutes) and save your profile.

    The file is readable by you only (mode 0600). Nothing is written until the
    last answer, so Ctrl-C leaves no half-written file.

    \b
    Example:
      closer profile new -o ana.yaml
      closer profile new --answers my-answers.yaml -o ana.yaml
    """
    from recommender.questionnaire import QUESTIONS, profile_from_answers
    from recommender.schema import slugify

    if answers is not None:
        from recommender.profiles import read_mapping

        given = read_mapping(answers)
        person = profile_from_answers(given, source=str(answers))
    else:
        replies: dict[str, Any] = {}
        click.echo("Answer for yourself; your partner, friend or colleague answers separately.\n")
        for number, question in enumerate(QUESTIONS, start=1):
            hint = f" ({question.hint})" if question.hint else ""
            kind = click.Choice(question.choices) if question.choices else str
            replies[question.key] = click.prompt(
                f"{number}/{len(QUESTIONS)} {question.text}{hint}",
                type=kind,
                default=question.default,
                show_choices=bool(question.choices),
                show_default=question.default not in (None, ""),
            )
        person = profile_from_answers(replies, source="your answers")
    target = output or Path(f"{slugify(person.name) or 'profile'}.yaml")
    if target.exists() and not force:
        raise click.UsageError(f"{target} exists; choose another -o FILE or add --force")
    rc.save_profile(person, target)
    click.echo(f"\nSaved {target} (readable by you only).")
    _show_profile(person)


@profile.command("show")
@click.argument("path", type=click.Path(path_type=Path))
@json_option
def profile_show(path: Path, as_json: bool) -> None:
    """Check a profile file and show it readably."""
    person = rc.load_profile(path)
    if as_json:
        _json_out(person.model_dump(mode="json"))
        return
    _show_profile(person)
