"""The closer command in a real terminal: closed pipes and Ctrl-C.

These run the installed ``closer`` script (next to ``sys.executable``) as a
child process, because pipes and signals only behave for real there.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import recommender as rc
from recommender.history import History
from tests.conftest import make_activity

CLOSER = str(Path(sys.executable).parent / "closer")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ANA, BEN = str(EXAMPLES / "ana.yaml"), str(EXAMPLES / "ben.yaml")
#: Only a hang should reach this (seconds): it is a guard, not a timing assertion.
HANG_GUARD = 120
INTERRUPTED = 130


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One model cache for the module: the bundled model is fitted once.

    Module-scoped, so made before the autouse fixture's private folders: it
    names its own data folder, or the commands would use the real history.
    """
    cache = tmp_path_factory.mktemp("cache")
    data = tmp_path_factory.mktemp("data")
    return dict(os.environ, CLOSER_CACHE_DIR=str(cache), XDG_DATA_HOME=str(data), NO_COLOR="1")


@pytest.fixture
def big_catalogue(tmp_path: Path) -> Path:
    """3000 activities: `catalog list` prints far more than a pipe buffer holds."""
    path = tmp_path / "big.jsonl"
    rc.save_catalog([make_activity(f"walk-number-{i}") for i in range(3000)], path)
    return path


def test_the_installed_script_is_there() -> None:
    assert os.access(CLOSER, os.X_OK), CLOSER


# ------------------------------------------------------------------ closed pipes


def _pipeline(closer_args: list[str], env: dict[str, str]) -> tuple[str, str, int]:
    """Run ``closer ARGS | head -1``; return head's output, closer's stderr and exit code."""
    closer = subprocess.Popen(
        [CLOSER, *closer_args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    head = subprocess.Popen(["head", "-1"], stdin=closer.stdout, stdout=subprocess.PIPE)
    assert closer.stdout is not None and closer.stderr is not None
    closer.stdout.close()  # head alone holds the read end: when it exits, the pipe breaks
    shown, _ = head.communicate(timeout=HANG_GUARD)
    errors = closer.stderr.read()
    closer.stderr.close()
    closer.wait(timeout=HANG_GUARD)
    return shown.decode(), errors.decode(), closer.returncode


@pytest.mark.parametrize("catalogue", ["bundled", "3000 activities"])
def test_catalog_list_into_head_exits_quietly(
    catalogue: str, env: dict[str, str], big_catalogue: Path
) -> None:
    args = ["catalog", "list"] + (
        [] if catalogue == "bundled" else ["--catalog", str(big_catalogue)]
    )
    shown, errors, code = _pipeline(args, env)
    assert len(shown.splitlines()) == 1
    assert errors == ""  # no BrokenPipeError traceback, no "Exception ignored"
    # 0 when closer finished before head left; click's own broken-pipe exit is 1.
    assert code in (0, 1)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["catalog", "list"], id="catalog-list"),
        pytest.param(["catalog", "list", "--json"], id="catalog-list-json"),
        pytest.param(["catalog", "stats"], id="catalog-stats"),
        pytest.param(["schema", "profile"], id="schema"),
        pytest.param(["suggest", ANA, BEN], id="suggest"),
        # (a chosen --relationship: beside JSON, stderr says which kind was assumed)
        pytest.param(
            ["suggest", ANA, BEN, "--relationship", "friends", "--json"], id="suggest-json"
        ),
        pytest.param(["ask", ANA, BEN], id="ask"),
        pytest.param(["profile", "show", ANA], id="profile-show"),
        pytest.param(["--help"], id="help"),
    ],
)
def test_every_command_writing_into_a_closed_pipe_exits_quietly(
    args: list[str], env: dict[str, str]
) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # no reader at all: the very first write breaks the pipe
    try:
        done = subprocess.run(
            [CLOSER, *args], stdout=write_end, stderr=subprocess.PIPE, env=env, timeout=HANG_GUARD
        )
    finally:
        os.close(write_end)
    assert done.stderr.decode() == ""
    assert done.returncode in (0, 1)


# ------------------------------------------------------------------ Ctrl-C

Spawn = Callable[[list[str]], "subprocess.Popen[bytes]"]


@pytest.fixture
def spawn(env: dict[str, str]) -> Iterator[Spawn]:
    """Start ``closer ARGS`` with pipes; whatever happens, no child outlives the test."""
    children: list[subprocess.Popen[bytes]] = []

    def start(args: list[str]) -> subprocess.Popen[bytes]:
        child = subprocess.Popen(
            [CLOSER, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        children.append(child)
        return child

    yield start
    for child in children:
        if child.poll() is None:
            child.kill()
        child.communicate(timeout=HANG_GUARD)


def _read_until(child: subprocess.Popen[bytes], text: str) -> str:
    """Read the child's stdout until ``text`` shows (a prompt has no newline)."""
    assert child.stdout is not None
    seen = b""
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + HANG_GUARD
        while text.encode() not in seen:
            assert time.monotonic() < deadline, f"no {text!r} in {seen[-500:]!r}"
            if selector.select(timeout=1):
                chunk = os.read(child.stdout.fileno(), 65536)
                assert chunk, f"closer ended before {text!r}: {seen[-500:]!r}"
                seen += chunk
    return seen.decode()


def _interrupt(child: subprocess.Popen[bytes]) -> tuple[int, str]:
    child.send_signal(signal.SIGINT)
    _, errors = child.communicate(timeout=HANG_GUARD)
    return child.returncode, errors.decode()


def _answer(child: subprocess.Popen[bytes], line: str) -> None:
    assert child.stdin is not None
    child.stdin.write(line.encode() + b"\n")
    child.stdin.flush()


@pytest.mark.parametrize("question", [1, 2, 7, 13])
def test_ctrl_c_at_any_question_exits_130_and_writes_nothing(
    question: int, tmp_path: Path, spawn: Spawn
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    child = spawn(["profile", "new", "-o", str(folder / "me.yaml")])
    _read_until(child, "1/13 ")
    for number in range(2, question + 1):
        _answer(child, "Zed" if number == 2 else "")  # a name, then the defaults
        _read_until(child, f"{number}/13 ")
    code, errors = _interrupt(child)
    assert code == INTERRUPTED
    assert "Traceback" not in errors
    assert errors.strip().splitlines() == ["closer: interrupted"]
    assert list(folder.iterdir()) == []  # no profile, no half-written temp file


def test_ctrl_c_at_the_last_question_keeps_an_existing_profile_as_it_was(
    tmp_path: Path, spawn: Spawn
) -> None:
    target = tmp_path / "me.yaml"
    target.write_text("name: Old\n")
    before = target.read_bytes()
    child = spawn(["profile", "new", "-o", str(target), "--force"])
    _read_until(child, "1/13 ")
    _answer(child, "New")
    for number in range(2, 13):
        _read_until(child, f"{number}/13 ")
        _answer(child, "")
    _read_until(child, "13/13 ")
    code, errors = _interrupt(child)
    assert code == INTERRUPTED
    assert "Traceback" not in errors
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["me.yaml"]


def test_ctrl_c_at_the_forget_question_deletes_nothing(tmp_path: Path, spawn: Spawn) -> None:
    path = tmp_path / "history.sqlite3"
    some_id = rc.default_catalog().ids[0]
    with History(path) as store:
        store.record("ana-ben", some_id, {"ana": 5, "ben": 4})
    child = spawn(["forget", "--pair", "ana-ben", "--history", str(path)])
    _read_until(child, "cannot be undone")
    code, errors = _interrupt(child)
    assert code == INTERRUPTED
    assert "Traceback" not in errors
    with History(path) as store:
        assert [r.activity_id for r in store.records("ana-ben")] == [some_id]
