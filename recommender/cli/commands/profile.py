"""`closer profile new|show`: the questionnaire and profile checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

import recommender as rc
from recommender.cli.app import main
from recommender.cli.options import (
    json_option,
    path_option,
)
from recommender.cli.render import (
    _json_out,
    _show_profile,
)


@main.group()
def profile() -> None:
    """Make and check person profiles (each person answers on their own)."""


@profile.command("new")
@path_option(
    "-o",
    "--output",
    file_only=True,
    help="Where to write the profile (default: NAME.yaml here).",
)
@path_option(
    "--answers",
    help="Answer from a YAML/JSON file instead of prompts (for scripts, or a recovery file).",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def profile_new(output: Path | None, answers: Path | None, force: bool) -> None:
    """Answer 13 short questions and one private one (about two minutes).

    At any question: b goes back, s skips it (keeps the default). The file is
    readable by you only (mode 0600). The name and the output file are checked
    first; if saving fails at the end, your answers go to a recovery file that
    --answers takes. Ctrl-C leaves nothing behind.

    \b
    Example:
      closer profile new -o ana.yaml
      closer profile new --answers my-answers.yaml -o ana.yaml
    """
    from recommender.questionnaire import profile_from_answers

    if output is not None and output.exists() and not force:
        raise click.UsageError(f"{output} exists; choose another -o FILE or add --force")
    if answers is not None:
        from recommender.profiles import read_mapping

        person = profile_from_answers(read_mapping(answers), source=str(answers))
        target = _target(output, person.name, force)
        rc.save_profile(person, target)
    else:
        click.echo("Answer for yourself; your partner, friend or colleague answers separately.")
        click.echo("At any question: b goes back, s skips it.\n")
        replies = _ask_every_question(output, force)
        target = _target(output, str(replies["name"]), force)
        person = _save_or_recover(replies, target)
    click.echo(f"\nSaved {target} (readable by you only).")
    _show_profile(person)
    if person.safety_concern:
        _support_pointer(target)


def _target(output: Path | None, name: str, force: bool) -> Path:
    from recommender.schema import slugify

    target = output or Path(f"{slugify(name) or 'profile'}.yaml")
    if target.exists() and not force:
        raise click.UsageError(f"{target} exists; choose another -o FILE or add --force")
    return target


def _ask_every_question(output: Path | None, force: bool) -> dict[str, Any]:
    """Ask each question until it has a valid answer; b goes back, s skips."""
    from recommender.questionnaire import QUESTIONS, SCREENING, parse_answer
    from recommender.schema import slugify

    every = (*QUESTIONS, *SCREENING)
    replies: dict[str, Any] = {}
    i = 0
    while i < len(every):
        question = every[i]
        label = f"{i + 1}/{len(QUESTIONS)} " if i < len(QUESTIONS) else ""
        hint = f" ({question.hint})" if question.hint else ""
        choices = f" ({', '.join(question.choices)})" if question.choices else ""
        default = replies.get(question.key, question.default)
        raw = click.prompt(
            f"{label}{question.text}{hint}{choices}",
            default=default,
            show_default=default not in (None, ""),
            type=str,
        )
        command = raw.strip().lower()
        if command in ("b", "back"):
            i = max(0, i - 1)
            continue
        if command in ("s", "skip") and question.key != "name":
            replies[question.key] = question.default
            i += 1
            continue
        try:
            replies[question.key] = parse_answer(question, raw)
        except ValueError as exc:
            click.echo(f"closer: {exc}", err=True)
            continue
        if question.key == "name" and output is None and not force:
            taken = Path(f"{slugify(replies['name']) or 'profile'}.yaml")
            if taken.exists():  # said now, not after every other question
                click.echo(f"closer: {taken} exists; give another name or use -o FILE", err=True)
                continue
        i += 1
    return replies


def _save_or_recover(replies: dict[str, Any], target: Path) -> Any:
    """Build and save the profile; on failure keep the answers in a 0600 recovery file."""
    from recommender.profiles import PRIVATE_MODE
    from recommender.questionnaire import profile_from_answers

    try:
        person = profile_from_answers(replies, source="your answers")
        rc.save_profile(person, target)
    except (rc.RecommenderError, OSError) as exc:
        import yaml

        from recommender._io import atomic_write_text

        text = yaml.safe_dump(replies, allow_unicode=True)
        recovery = target.with_name(target.stem + ".answers.yaml")
        try:
            atomic_write_text(recovery, text, mode=PRIVATE_MODE)
        except (rc.RecommenderError, OSError):  # the target's folder is the problem
            recovery = Path(recovery.name)
            atomic_write_text(recovery, text, mode=PRIVATE_MODE)
        raise rc.ProfileError(
            f"{exc}\nyour answers are saved in {recovery} (readable by you only); finish with "
            f"`closer profile new --answers {recovery} -o FILE`"
        ) from None
    return person


def _support_pointer(target: Path) -> None:
    """Shown to this person only, on their own screen, after a yes to the private question."""
    click.echo(
        "\nThank you for telling closer. You said you sometimes feel afraid, pressured, "
        "hurt or controlled. closer will not suggest things to do together; it shows help "
        f"for you alone: closer suggest {target} --safety-concern"
    )
    click.echo("closer is not a crisis service: if you are in danger, call your local emergency")
    click.echo("number. Your profile notes this only for closer; it is readable by you only.")


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
