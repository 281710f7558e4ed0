"""Read and write person profiles (YAML or JSON files, owner-readable only)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ._io import (
    atomic_write_text,
    count_values,
    parse_document,
    read_text,
    structure_marks,
)
from .catalog import problems_from_validation
from .errors import Problem, ProfileError
from .schema import PairContext, PersonProfile

__all__ = ["load_context", "load_profile", "parse_model", "read_mapping", "save_profile"]

#: Profiles describe a person's private life: readable by their owner only.
PRIVATE_MODE = 0o600

#: Most values (keys, scalars, lists, mappings) a profile or answers file may hold;
#: a real one has about 40. Checked on the text before parsing, and again after
#: (a YAML alias counts each time it is used).
MAX_PROFILE_VALUES = 10_000

M = TypeVar("M", bound=BaseModel)


def _parse_document(text: str, source: str) -> Any:
    marks = structure_marks(text)
    if marks > 2 * MAX_PROFILE_VALUES:
        raise ProfileError(
            Problem(
                f"holds too much structure for a profile ({marks} brackets, commas, colons, "
                f"dashes and line breaks; the limit is {2 * MAX_PROFILE_VALUES})",
                source=source,
                has_value=False,
            )
        )
    document = _parse_text(text, source)
    _, problem = count_values(document, MAX_PROFILE_VALUES)
    if problem:
        raise ProfileError(Problem(problem, source=source, has_value=False))
    return document


def _parse_text(text: str, source: str) -> Any:
    syntax = "json" if source.lower().endswith(".json") else "yaml"
    return parse_document(text, source, syntax, ProfileError)


def _mapping(document: Any, of: str, source: str | None) -> dict[str, Any]:
    """``document`` if it is a mapping, else a :class:`ProfileError` saying a mapping ``of``
    what was expected and what came instead."""
    if not isinstance(document, dict):
        raise ProfileError(
            Problem(
                f"expected a mapping of {of}, got {type(document).__name__}",
                source=source,
                has_value=False,
            )
        )
    return document


def parse_model(model: type[M], document: Any, source: str | None) -> M:
    """Validate ``document`` as ``model``; raise :class:`ProfileError` naming each fault."""
    document = _mapping(document, f"{model.__name__} fields", source)
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise ProfileError(problems_from_validation(exc, source=source, item=None)) from None


def load_profile(path: str | os.PathLike[str]) -> PersonProfile:
    """Load a :class:`PersonProfile` from a YAML or JSON file.

    Raises
    ------
    ProfileError
        Naming the file, the field and the received value.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ana.yaml"
    >>> _ = p.write_text("name: Ana\\nintimacy: {emotional: 0.9}\\n")
    >>> load_profile(p).weight("emotional")
    0.9
    """
    source = str(path)
    text = read_text(Path(path), source, ProfileError)
    if not text.strip():
        raise ProfileError(Problem("the profile file is empty", source=source, has_value=False))
    return parse_model(PersonProfile, _parse_document(text, source), source)


def read_mapping(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a YAML or JSON file that must hold a mapping (answers, settings)."""
    source = str(path)
    text = read_text(Path(path), source, ProfileError)
    document = _parse_document(text, source) if text.strip() else None
    return _mapping(document, "answers", source)


def load_context(document: Any, source: str | None = None) -> PairContext:
    """Validate a mapping as a :class:`PairContext`."""
    return parse_model(PairContext, document, source)


def save_profile(profile: PersonProfile, path: str | os.PathLike[str]) -> Path:
    """Write a profile as YAML (or JSON for ``.json``), atomically, with mode 0600."""
    target = Path(path)
    record = profile.model_dump(mode="json", exclude_defaults=True)
    record["name"] = profile.name
    if target.suffix.lower() == ".json":
        text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    else:
        import yaml

        text = yaml.safe_dump(record, sort_keys=False, allow_unicode=True)
    atomic_write_text(target, text, mode=PRIVATE_MODE)
    return target
