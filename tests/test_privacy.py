"""Privacy and safe loading: nothing leaves the machine, leaks into logs or runs from a file.

Profiles and history describe people's private lives (RESEARCH.md): closer
never touches the network, never logs what a profile says, keeps the files
that hold it readable by their owner only, never unpickles and loads YAML
with a safe loader only.
"""

from __future__ import annotations

import io
import json
import logging
import os
import pickle
import socket
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import cli
import recommender as rc
from recommender.history import History
from recommender.profiles import read_mapping

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BEN = EXAMPLES / "ben.yaml"

#: Words no log line may ever hold: a name, an interest and an avoid, as typed.
SECRETS = ("Zanzibarquux", "Quillifrond", "Marmaloot")


@pytest.fixture
def secret_person() -> rc.PersonProfile:
    return rc.PersonProfile(
        name="Zanzibarquux",
        intimacy={"emotional": 0.9, "experiential": 0.7},
        interests=["Quillifrond", "cooking"],
        avoid=["Marmaloot"],
        max_depth=4,
        budget=2,
    )


@pytest.fixture
def small_catalogue(tmp_path: Path) -> Path:
    from tests.conftest import make_activity

    path = tmp_path / "small.yaml"
    rc.save_catalog(
        [make_activity(f"walk-{i}", tags=["walking", f"route-{i}"]) for i in range(8)], path
    )
    return path


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOSER_CACHE_DIR", str(tmp_path / "cache"))


# ------------------------------------------------------------------ no network


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail every socket use, and remember it (in case a caller swallows the error)."""
    attempts: list[str] = []

    def refuse(what: str) -> Callable[..., Any]:
        def refused(*args: Any, **kwargs: Any) -> Any:
            attempts.append(what)
            raise OSError(f"closer tried to use the network ({what})")

        return refused

    class NoSocket(socket.socket):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            refuse("socket")()

    monkeypatch.setattr(socket, "socket", NoSocket)
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "socketpair"):
        monkeypatch.setattr(socket, name, refuse(name))
    yield attempts
    assert attempts == []


def test_the_no_network_fixture_catches_a_connection(no_network: list[str]) -> None:
    with pytest.raises(OSError, match="closer tried to use the network"):
        socket.create_connection(("example.org", 80))
    with pytest.raises(OSError, match=r"network \(socket\)"):
        socket.socket()
    assert no_network == ["create_connection", "socket"]
    no_network.clear()  # the fixture's own check at teardown must pass


def test_fit_recommend_history_and_cli_never_touch_the_network(
    no_network: list[str],
    secret_person: rc.PersonProfile,
    tmp_path: Path,
    small_catalogue: Path,
) -> None:
    ben = rc.load_profile(BEN)
    assert len(rc.default_catalog()) > 300
    model = rc.Recommender().fit(rc.load_catalog(small_catalogue))
    assert model.recommend(secret_person, ben, rc.PairContext(minutes=60), k=3)
    model.save(tmp_path / "model.npz")
    rc.Recommender.load(tmp_path / "model.npz")
    with History(tmp_path / "history.sqlite3") as store:
        store.record("zanzibarquux-ben", model.activity_ids_[0], {"zanzibarquux": 5, "ben": 3})
        snapshot = store.for_pair("zanzibarquux-ben")
    assert model.recommend(secret_person, ben, k=3, history=snapshot)
    rc.save_profile(secret_person, tmp_path / "z.yaml")
    runner = CliRunner()
    history = ["--history", str(tmp_path / "history.sqlite3")]
    for args in (
        ["suggest", str(tmp_path / "z.yaml"), str(BEN), *history],
        ["suggest", str(tmp_path / "z.yaml"), str(BEN), "--catalog", str(small_catalogue)],
        ["ask", str(tmp_path / "z.yaml"), str(BEN)],
        [
            "done",
            "walk-1",
            "--pair",
            "zanzibarquux-ben",
            "--ratings",
            "4",
            "4",
            "--catalog",
            str(small_catalogue),
            *history,
        ],
        ["history", "--pair", "zanzibarquux-ben", *history],
    ):
        result = runner.invoke(cli.main, args)
        assert result.exit_code == 0, (args, result.output)


SOCKET_GUARD = textwrap.dedent(
    """
    import os, sys

    def guard(event, args):
        # Any socket at all (DNS included) ends the process with a code the test knows.
        if event.startswith("socket.") or event == "urllib.Request":
            os.write(2, f"NETWORK: {event}\\n".encode())
            os._exit(86)

    sys.addaudithook(guard)
    """
)
NO_SOCKETS = SOCKET_GUARD + "import cli\ncli.run(sys.argv[1:])\n"


def test_the_socket_guard_stops_a_process_that_opens_one() -> None:
    probe = SOCKET_GUARD + "import socket\nsocket.getaddrinfo('localhost', 80)\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 86
    assert "NETWORK: socket.getaddrinfo" in done.stderr


def test_the_closer_command_opens_no_socket_at_all(tmp_path: Path, small_catalogue: Path) -> None:
    history = ["--history", str(tmp_path / "history.sqlite3")]
    env = dict(os.environ, CLOSER_CACHE_DIR=str(tmp_path / "cache"))
    for args in (
        ["suggest", str(EXAMPLES / "ana.yaml"), str(BEN), *history],
        [
            "done",
            "walk-2",
            "--pair",
            "ana-ben",
            "--ratings",
            "5",
            "3",
            "--catalog",
            str(small_catalogue),
            *history,
        ],
        ["catalog", "list"],
    ):
        done = subprocess.run(
            [sys.executable, "-c", NO_SOCKETS, *args], capture_output=True, text=True, env=env
        )
        assert "NETWORK" not in done.stderr
        assert done.returncode == 0, (args, done.stderr[-2000:])


# ------------------------------------------------------------------ nothing in the logs


def _leaks(records: list[logging.LogRecord]) -> list[str]:
    found = []
    for record in records:
        text = " ".join(
            str(part)
            for part in (record.getMessage(), record.args, record.exc_text, record.stack_info)
            if part
        ).lower()
        found += [f"{record.name}: {secret}" for secret in SECRETS if secret.lower() in text]
    return found


def test_profile_contents_never_reach_the_logs_at_any_level(
    caplog: pytest.LogCaptureFixture,
    secret_person: rc.PersonProfile,
    tmp_path: Path,
    small_catalogue: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    profile = rc.save_profile(secret_person, tmp_path / "zanzibarquux.yaml")
    person = rc.load_profile(profile)
    ben = rc.load_profile(BEN)
    model = rc.Recommender().fit(rc.load_catalog(small_catalogue))
    model.recommend(person, ben, rc.PairContext(minutes=60), k=3)
    model.recommend_many([(person, ben, rc.PairContext()), (ben, person, None)], k=2)
    model.diagnose(person, ben, rc.PairContext(minutes=1))
    with History(tmp_path / "history.sqlite3") as store:
        store.record("zanzibarquux-ben", "walk-1", {"Zanzibarquux": 5, "Ben": 2})
        snapshot = store.for_pair("zanzibarquux-ben")
        model.recommend(person, ben, k=3, history=snapshot)
        store.forget("zanzibarquux-ben")
    # Errors carry the values they name, but must not log them on the way.
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Zanzibarquux\ninterests: [Quillifrond]\nmax_depth: 9\n")
    with pytest.raises(rc.ProfileError, match="max_depth"):
        rc.load_profile(bad)
    runner = CliRunner()
    history = ["--history", str(tmp_path / "history.sqlite3")]
    for args in (
        ["suggest", str(profile), str(BEN), "--catalog", str(small_catalogue), *history],
        ["suggest", str(profile), str(BEN), "--json", "--obstacle", "trust"],
        [
            "done",
            "walk-2",
            "--pair",
            "zanzibarquux-ben",
            "--ratings",
            "5",
            "1",
            "--catalog",
            str(small_catalogue),
            *history,
        ],
        ["history", "--pair", "zanzibarquux-ben", "--catalog", str(small_catalogue), *history],
        ["profile", "show", str(profile)],
        ["suggest", str(bad), str(BEN)],
    ):
        runner.invoke(cli.main, args)
    assert caplog.records, "nothing was logged: the check would prove nothing"
    assert {r.levelno for r in caplog.records} & {logging.DEBUG}
    assert _leaks(caplog.records) == []


def test_the_log_check_does_notice_a_leak(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("recommender.test").debug("profile of %s", "Zanzibarquux")
    assert _leaks(caplog.records) == ["recommender.test: Zanzibarquux"]


# ------------------------------------------------------------------ owner-only files


@pytest.fixture(params=[0o000, 0o022], ids=["umask-000", "umask-022"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_saved_profiles_are_owner_only_whatever_the_umask(
    umask: int, secret_person: rc.PersonProfile, tmp_path: Path
) -> None:
    for name in ("z.yaml", "z.json", "sub/folder/z.yaml"):
        assert _mode(rc.save_profile(secret_person, tmp_path / name)) == 0o600
    loose = tmp_path / "loose.yaml"
    loose.write_text("name: Old\n")
    loose.chmod(0o644)
    rc.save_profile(secret_person, loose)  # replacing a readable file makes it private
    assert _mode(loose) == 0o600


def test_profile_new_writes_an_owner_only_file(umask: int, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("name: Zanzibarquux\ninterests: Quillifrond\n")
    existing = tmp_path / "existing.yaml"
    existing.write_text("name: Old\n")
    existing.chmod(0o644)
    runner = CliRunner()
    for target, extra in ((tmp_path / "new.yaml", []), (existing, ["--force"])):
        result = runner.invoke(
            cli.main, ["profile", "new", "--answers", str(answers), "-o", str(target), *extra]
        )
        assert result.exit_code == 0, result.output
        assert _mode(target) == 0o600
        assert rc.load_profile(target).name == "Zanzibarquux"


def test_history_files_are_owner_only_whatever_the_umask(umask: int, tmp_path: Path) -> None:
    path = tmp_path / "new-folder" / "history.sqlite3"
    with History(path) as store:
        store.record("zanzibarquux-ben", "walk-1", {"zanzibarquux": 4})
        written = sorted(path.parent.iterdir())
        assert path in written
        assert {p.name: _mode(p) for p in written} == {p.name: 0o600 for p in written}
    assert _mode(path.parent) == 0o700


# ------------------------------------------------------------------ nothing is unpickled


class _Plant:
    """Unpickling this creates a folder: proof that something unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (str(self.marker),))


def _planted_npz(marker: Path) -> bytes:
    buffer = io.BytesIO()
    meta = json.dumps({"format": "closer-model", "version": 1}).encode()
    np.savez(
        buffer,
        meta=np.frombuffer(meta, dtype=np.uint8),
        plant=np.array([_Plant(marker)], dtype=object),
    )
    return buffer.getvalue()


def test_a_model_holding_a_pickled_object_is_refused_unread(tmp_path: Path) -> None:
    marker = tmp_path / "unpickled"
    for name, data in (
        ("object-array.npz", _planted_npz(marker)),
        ("raw-pickle.npz", pickle.dumps(_Plant(marker))),
    ):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(rc.ModelFileError, match=rf"{name}: not a readable closer model"):
            rc.Recommender.load(tmp_path / name)
    assert not marker.exists()
    pickle.loads(pickle.dumps(_Plant(marker)))  # the plant does work when unpickled
    assert marker.exists()


def test_a_planted_cache_entry_is_rebuilt_not_unpickled(
    tmp_path: Path, small_catalogue: Path
) -> None:
    runner = CliRunner()
    args = ["suggest", str(EXAMPLES / "ana.yaml"), str(BEN), "--catalog", str(small_catalogue)]
    assert runner.invoke(cli.main, args).exit_code == 0
    (entry,) = (tmp_path / "cache").glob("*.npz")
    marker = tmp_path / "unpickled"
    entry.write_bytes(_planted_npz(marker))
    assert runner.invoke(cli.main, args).exit_code == 0
    assert not marker.exists()


def test_the_whole_pipeline_never_calls_pickle(
    monkeypatch: pytest.MonkeyPatch,
    secret_person: rc.PersonProfile,
    tmp_path: Path,
    small_catalogue: Path,
) -> None:
    calls: list[str] = []

    def refuse(what: str) -> Callable[..., Any]:
        def refused(*args: Any, **kwargs: Any) -> Any:
            calls.append(what)
            raise AssertionError(f"pickle.{what} was called")

        return refused

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse(name))
    model = rc.Recommender().fit(rc.load_catalog(small_catalogue))
    model.save(tmp_path / "m.npz")
    loaded = rc.Recommender.load(tmp_path / "m.npz")
    loaded.recommend(secret_person, rc.load_profile(BEN), k=2)
    result = CliRunner().invoke(
        cli.main,
        ["suggest", str(EXAMPLES / "ana.yaml"), str(BEN), "--catalog", str(small_catalogue)],
    )
    assert result.exit_code == 0, result.output
    assert calls == []


# ------------------------------------------------------------------ YAML is loaded safely


def _evil_yaml(marker: Path) -> dict[str, str]:
    apply = f"!!python/object/apply:os.mkdir [{str(marker)!r}]"
    new = f"!!python/object/new:os.mkdir [{str(marker)!r}]"
    return {
        "catalogue.yaml": f"- {apply}\n",
        "profile.yaml": f"name: {new}\n",
        "answers.yaml": f"name: Ana\ninterests: {apply}\n",
        "module.yaml": "name: !!python/module:os\n",
        "name.yaml": "name: !!python/name:os.system\n",
    }


@pytest.mark.parametrize(
    ("file", "load", "error"),
    [
        ("catalogue.yaml", rc.load_catalog, rc.CatalogError),
        ("profile.yaml", rc.load_profile, rc.ProfileError),
        ("answers.yaml", read_mapping, rc.ProfileError),
        ("module.yaml", rc.load_profile, rc.ProfileError),
        ("name.yaml", rc.load_catalog, rc.CatalogError),
    ],
)
def test_python_tags_in_yaml_are_errors_never_executed(
    tmp_path: Path, file: str, load: Callable[[Path], Any], error: type[Exception]
) -> None:
    marker = tmp_path / "executed"
    path = tmp_path / file
    path.write_text(_evil_yaml(marker)[file])
    with pytest.raises(
        error,
        match=rf"{file}: not valid YAML at line \d+, column \d+: could not determine a "
        r"constructor for the tag 'tag:yaml.org,2002:python/",
    ):
        load(path)
    assert not marker.exists()


def test_the_import_mapping_and_the_cli_refuse_python_tags_too(tmp_path: Path) -> None:
    from recommender.importer import load_mapping

    marker = tmp_path / "executed"
    evil = tmp_path / "evil.yaml"
    evil.write_text(_evil_yaml(marker)["answers.yaml"])
    with pytest.raises(rc.CatalogError, match=r"evil\.yaml: .*python/object/apply:os\.mkdir"):
        load_mapping(evil)
    runner = CliRunner()
    for args in (
        ["catalog", "validate", str(evil)],
        ["profile", "show", str(evil)],
        ["profile", "new", "--answers", str(evil), "-o", str(tmp_path / "out.yaml")],
    ):
        result = runner.invoke(cli.main, args)
        assert result.exit_code == 2, (args, result.output)
        assert "python/object/apply" in result.stderr
    assert not marker.exists()
    assert not (tmp_path / "out.yaml").exists()
