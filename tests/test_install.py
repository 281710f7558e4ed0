"""A wheel built from this checkout installs into a fresh venv and works from another folder.

No network is used: the wheel is built with the current environment's hatchling
(``--no-build-isolation``) and installed with ``--no-deps --no-index``. The fresh
venv borrows the dependencies (numpy, pydantic, click, ...) of the current
environment through a ``.pth`` file that points at a *filtered mirror* of its
site-packages: every entry except what the wheel itself provides and except
``.pth`` files. The current environment has this project installed editable, so
its site-packages may hold an editable finder, a ``.pth`` pointing at the
checkout, or copies of ``cli.py`` / ``recommender/`` that would let the checkout
leak into the venv and hide a broken wheel.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

import recommender

REPO_ROOT = Path(__file__).resolve().parent.parent
DIST_NAME = "closer_recommender"
#: Generous guard so a hung pip cannot hang CI; not a speed assertion.
STEP_TIMEOUT_SECONDS = 600

pytestmark = pytest.mark.slow


def clean_env() -> dict[str, str]:
    """The environment minus anything that could point Python or pip at the checkout."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONSAFEPATH"}
        and not key.startswith(("PIP_", "VIRTUAL_ENV"))
    }
    env.update(
        PYTHONNOUSERSITE="1",
        PYTHONDONTWRITEBYTECODE="1",  # never write into the mirrored site-packages
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        NO_COLOR="1",
    )
    return env


def run(command: Sequence[str | Path], cwd: Path) -> str:
    """Run ``command`` in ``cwd``; fail the test with its output if it fails."""
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_SECONDS,
        check=False,
    )
    assert done.returncode == 0, (
        f"{' '.join(map(str, command))} exited {done.returncode}\n"
        f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    )
    return done.stdout


def top_level_names(wheel: Path) -> set[str]:
    """Top-level files and folders the wheel installs (``recommender``, ``cli.py``, ...)."""
    with zipfile.ZipFile(wheel) as archive:
        return {name.split("/", 1)[0] for name in archive.namelist()}


def mirror_site_packages(target: Path, exclude: set[str]) -> list[Path]:
    """Symlink every dependency of the current environment into folders under ``target``.

    Left out: what the wheel provides, this project's metadata, ``.pth`` files
    and editable-install finders, so nothing can lead back to the checkout.
    """
    mirrors = []
    sources = [Path(p) for p in site.getsitepackages() if Path(p).is_dir()]
    for number, source in enumerate(dict.fromkeys(sources)):
        mirror = target / f"site-{number}"
        mirror.mkdir(parents=True)
        for entry in sorted(source.iterdir()):
            name = entry.name
            if (
                name in exclude
                or name == "__pycache__"
                or name.endswith(".pth")
                or name.startswith(("__editable__", "_editable_impl_", DIST_NAME, f"_{DIST_NAME}"))
                or entry.resolve() == REPO_ROOT
            ):
                continue
            (mirror / name).symlink_to(entry, target_is_directory=entry.is_dir())
        mirrors.append(mirror)
    return mirrors


def venv_bin(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``(venv, wheel)``: the checkout built into a wheel and installed into a fresh venv."""
    base = tmp_path_factory.mktemp("install")
    wheels = base / "wheels"
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            REPO_ROOT,
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--no-cache-dir",
            "--wheel-dir",
            wheels,
        ],
        cwd=base,
    )
    (wheel,) = wheels.glob(f"{DIST_NAME}-*.whl")

    venv = base / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=base)
    python = venv_bin(venv) / "python"
    purelib = Path(
        run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=base
        ).strip()
    )
    mirrors = mirror_site_packages(base / "deps", exclude=top_level_names(wheel))
    (purelib / "_closer_test_dependencies.pth").write_text(
        "".join(f"{mirror}\n" for mirror in mirrors), encoding="utf-8"
    )
    run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "--no-cache-dir", wheel],
        cwd=base,
    )
    return venv, wheel


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """An empty folder far from the checkout to run the installed command in."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_the_wheel_ships_the_package_the_cli_and_the_catalogue(
    installed: tuple[Path, Path],
) -> None:
    _, wheel = installed
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {
        "recommender/__init__.py",
        "recommender/cli/__init__.py",
        "recommender/py.typed",
    } <= names
    assert any(n.startswith("recommender/data/") and n.endswith(".yaml") for n in names)
    assert not any(n.startswith(("tests/", "catalog/")) for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(wheel) as archive:
        assert "closer = recommender.cli:run" in archive.read(entry_points).decode()


def test_the_wheel_installs_nothing_named_cli_at_the_top_level(
    installed: tuple[Path, Path],
) -> None:
    # A top-level ``cli`` module would collide with any other project's ``cli``.
    _, wheel = installed
    tops = {name.removesuffix(".py") for name in top_level_names(wheel)}
    assert tops == {"recommender"} | {n for n in tops if n.endswith(".dist-info")}


def test_the_installed_package_uses_its_own_files_and_catalogue(
    installed: tuple[Path, Path], elsewhere: Path
) -> None:
    venv, _ = installed
    script = (
        "import json, sys, recommender.cli as cli, recommender as rc\n"
        "print(json.dumps({'catalog_path': str(rc.default_catalog_path()),\n"
        "                  'count': len(rc.default_catalog()),\n"
        "                  'package': rc.__file__, 'cli': cli.__file__, 'path': sys.path}))\n"
    )
    facts = json.loads(run([venv_bin(venv) / "python", "-c", script], cwd=elsewhere))
    venv_root = venv.resolve()
    for key in ("catalog_path", "package", "cli"):
        assert Path(facts[key]).resolve().is_relative_to(venv_root), (key, facts[key])
    assert Path(facts["catalog_path"]).is_dir()
    assert facts["count"] > 300
    assert str(REPO_ROOT) not in facts["path"]


def test_the_installed_command_lists_the_bundled_catalogue_from_another_folder(
    installed: tuple[Path, Path], elsewhere: Path
) -> None:
    venv, _ = installed
    closer = venv_bin(venv) / "closer"
    lines = run([closer, "catalog", "list"], cwd=elsewhere).splitlines()
    assert len(lines) > 300
    first_id = lines[0].split()[0]
    shown = json.loads(run([closer, "catalog", "show", first_id, "--json"], cwd=elsewhere))
    assert shown["id"] == first_id
    assert list(elsewhere.iterdir()) == []


def test_the_installed_command_reports_its_version(
    installed: tuple[Path, Path], elsewhere: Path
) -> None:
    venv, _ = installed
    out = run([venv_bin(venv) / "closer", "--version"], cwd=elsewhere)
    assert out == f"closer, version {recommender.__version__}\n"
