"""``recommender.__all__`` is sorted and complete (httpx's test_exported_members pattern)."""

from __future__ import annotations

import inspect
import re
from importlib.metadata import version

import recommender as rc


def isort_style_key(name: str) -> tuple[int, list[int | str]]:
    """Ruff's RUF022 order: CONSTANTS, then Classes, then everything else, each naturally.

    The test sorts as the linter does, so ``ruff check --fix`` and this test never disagree.
    """
    if len(name) > 1 and name.upper() == name and name.lower() != name:
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return kind, [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def public_members() -> dict[str, object]:
    """Every non-underscore name of the package, including those it imports lazily (PEP 562)."""
    lazy = getattr(rc, "_LAZY", {})  # name -> module, when the package imports on first use
    names = {*dir(rc), *lazy}
    return {name: getattr(rc, name) for name in sorted(names) if not name.startswith("_")}


def test_the_sort_key_puts_constants_then_classes_then_the_rest() -> None:
    names = ["load_catalog", "Activity", "__version__", "STRATEGIES", "Zeta", "item10", "item9"]
    assert sorted(names, key=isort_style_key) == [
        "STRATEGIES",
        "Activity",
        "Zeta",
        "__version__",
        "item9",
        "item10",
        "load_catalog",
    ]


def test_all_is_sorted() -> None:
    assert rc.__all__ == sorted(rc.__all__, key=isort_style_key)


def test_all_has_no_duplicates() -> None:
    assert len(set(rc.__all__)) == len(rc.__all__)


def test_every_name_in_all_exists() -> None:
    missing = [name for name in rc.__all__ if not hasattr(rc, name)]
    assert missing == []


def test_every_public_class_and_function_of_the_package_is_in_all() -> None:
    # Only what the package defines counts; a helper imported from typing does not.
    public = {
        name
        for name, member in public_members().items()
        if (inspect.isclass(member) or inspect.isfunction(member))
        and getattr(member, "__module__", "").partition(".")[0] == "recommender"
    }
    assert public - set(rc.__all__) == set()


def test_the_documented_api_is_exported() -> None:
    documented = {
        "Activity",
        "Catalog",
        "PairContext",
        "PersonProfile",
        "Recommender",
        "STRATEGIES",
        "Suggestion",
        "default_catalog",
        "json_schema",
        "load_catalog",
        "save_catalog",
    }
    assert documented <= set(rc.__all__)


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from recommender import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(rc.__all__)


def test_an_unknown_attribute_is_an_attribute_error() -> None:
    assert not hasattr(rc, "no_such_name")


def test_the_version_is_exported_and_matches_the_installed_metadata() -> None:
    assert "__version__" in rc.__all__
    assert rc.__version__ == version("closer-recommender")
