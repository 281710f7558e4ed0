"""The house is easy to read: short functions, and imports that run one way."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import recommender as rc

PACKAGE = Path(__file__).resolve().parent.parent / "recommender"
MAX_CODE_LINES = 60


def code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> int:
    """Non-blank, non-comment lines of a function's body, its docstring left out."""
    body = node.body
    start = body[0].lineno
    first = body[0]
    is_docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    if is_docstring and isinstance(first.value.value, str):  # type: ignore[attr-defined]
        start = (first.end_lineno or first.lineno) + 1
    end = node.end_lineno or node.lineno
    return sum(
        1 for line in lines[start - 1 : end] if line.strip() and not line.strip().startswith("#")
    )


def module_name(path: Path, root: Path = PACKAGE.parent) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


#: The ranking core: catalogue -> features -> relevance (+ feedback) -> aggregation
#: (+ emphasis) -> constraints -> re-ranking -> explanation, and what those stand on.
#: It knows nothing of stores, conversations, plans, support, import or the CLI.
CORE = frozenset(
    f"recommender.{name}"
    for name in (
        "model",
        "features",
        "text",
        "relevance",
        "feedback",
        "aggregate",
        "emphasis",
        "constraints",
        "rerank",
        "explain",
        "interests",
        "schema",
        "errors",
        "_linalg",
        "_io",
    )
)


def imported_names(node: ast.AST, package: str) -> list[str]:
    """The dotted names an import statement may load (its module and each name as a
    submodule); ``package`` is the package relative imports start from."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if not node.level:
        target = node.module or ""
    else:
        base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        target = ".".join([*base, *([node.module] if node.module else [])])
    submodules = [f"{target}.{alias.name}" for alias in node.names]
    # ``from . import x`` loads the package, which is loaded already: only x counts.
    return submodules if node.module is None else [target, *submodules]


def closer_imports(
    path: Path, modules: set[str], *, anywhere: bool, root: Path = PACKAGE.parent
) -> set[str]:
    """closer modules ``path`` imports: when it loads, or (``anywhere``) at any level,
    inside functions and ``TYPE_CHECKING`` blocks too."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = ast.walk(tree) if anywhere else iter(tree.body)
    return {
        target
        for node in nodes
        for target in imported_names(node, package)
        if target in modules and target != name
    }


def load_time_imports(path: Path, modules: set[str]) -> set[str]:
    """closer modules ``path`` imports when it loads (not inside functions or TYPE_CHECKING)."""
    return closer_imports(path, modules, anywhere=False)


def outside_core(paths: dict[str, Path], root: Path = PACKAGE.parent) -> list[str]:
    """``core -> other`` for every import, at any level, from a core module to a non-core one."""
    modules = set(paths)
    return sorted(
        f"{name} -> {target}"
        for name in sorted(CORE & modules)
        for target in closer_imports(paths[name], modules, anywhere=True, root=root)
        if target not in CORE
    )


def test_no_function_in_the_library_is_longer_than_sixty_lines_of_code() -> None:
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = code_lines(node, lines)
                if n > MAX_CODE_LINES:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({n})")
    assert long == []


def test_the_import_graph_has_no_circle() -> None:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: load_time_imports(path, set(paths)) for name, path in paths.items()}
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    circles: list[list[str]] = []

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                circles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert circles == []


def test_the_length_check_can_fail() -> None:
    source = "def long():\n" + "".join(f"    x{i} = {i}\n" for i in range(61))
    (node,) = ast.parse(source).body
    assert isinstance(node, ast.FunctionDef)
    assert code_lines(node, source.splitlines()) == 61


def test_the_core_imports_nothing_outside_the_core() -> None:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    assert set(paths) >= CORE  # a renamed core module must be renamed here too
    assert outside_core(paths) == []


def test_the_core_check_fails_on_an_import_inside_a_function(tmp_path: Path) -> None:
    package = tmp_path / "recommender"
    package.mkdir()
    (package / "model.py").write_text("def later() -> None:\n    from .store import History\n")
    (package / "store.py").write_text("")
    paths = {"recommender.model": package / "model.py", "recommender.store": package / "store.py"}
    model = paths["recommender.model"]
    assert closer_imports(model, set(paths), anywhere=False, root=tmp_path) == set()
    assert outside_core(paths, root=tmp_path) == ["recommender.model -> recommender.store"]


@dataclass(frozen=True)
class AppRecord:
    """An app's own record of something a pair did: not closer's HistoryRecord."""

    activity_id: str
    day: dt.date
    ratings: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AppPast:
    """An app's own history, shaped like recommender.feedback.PastActivity."""

    records: tuple[AppRecord, ...]

    def recent_ids(self) -> frozenset[str]:
        return frozenset(r.activity_id for r in self.records)


def test_any_past_activity_shaped_object_ranks_like_the_stores_pair_history(
    model: rc.Recommender, ana: rc.PersonProfile, ben: rc.PersonProfile
) -> None:
    # The core reads a protocol, not the store: an app's own records do the same.
    ctx = rc.PairContext(relationship="friends")
    day = dt.date(2026, 3, 1)
    done, liked = (s.activity.id for s in model.recommend(ana, ben, ctx, k=2))
    ratings = {ana.name.lower(): 5, ben.name.lower(): 2}
    app = AppPast((AppRecord(done, day), AppRecord(liked, day, ratings)))
    store = rc.PairHistory(
        "ana-ben",
        (rc.HistoryRecord(done, day), rc.HistoryRecord(liked, day, ratings)),
        today=day,
    )
    assert isinstance(app, rc.PastActivity)
    with_app = model.recommend(ana, ben, ctx, k=8, history=app)
    assert with_app == model.recommend(ana, ben, ctx, k=8, history=store)
    assert {done, liked}.isdisjoint(s.activity.id for s in with_app)  # the past was read
    assert [p.prompt for p in rc.ask(model, ana, ben, ctx, history=app)] == [
        p.prompt for p in rc.ask(model, ana, ben, ctx, history=store)
    ]
