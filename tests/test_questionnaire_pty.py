"""`closer profile new` driven through a real pseudo-terminal, as a person types it.

The installed script runs under pexpect: a blank name, a bad answer, back, skip,
an existing file, Ctrl-C and a late failure, and nothing typed is ever lost.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest
import yaml

from recommender.questionnaire import QUESTIONS

CLOSER = str(Path(sys.executable).parent / "closer")
TOTAL = len(QUESTIONS)
#: Only a hang should reach this (seconds): a guard, not a timing assertion.
GUARD = 60


def spawn(args: list[str], cwd: Path) -> pexpect.spawn:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return pexpect.spawn(
        CLOSER, args, cwd=str(cwd), env=env, encoding="utf-8", timeout=GUARD, dimensions=(40, 200)
    )


def ask(child: pexpect.spawn, number: int) -> None:
    child.expect_exact(f"{number}/{TOTAL} ")


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus if child.exitstatus is not None else -(child.signalstatus or 0))


def test_blank_name_bad_answer_back_and_skip_lose_nothing(tmp_path: Path) -> None:
    child = spawn(["profile", "new", "-o", "dev.yaml"], tmp_path)
    ask(child, 1)
    child.sendline("   ")  # a blank name is refused at once, not after every question
    child.expect_exact("needs a name")
    ask(child, 1)
    child.sendline("Dev")
    ask(child, 2)
    child.sendline("7")
    child.expect_exact("'7' is not one of")
    ask(child, 2)
    child.sendline("4")
    ask(child, 3)
    child.sendline("b")  # back to the physical question, which keeps its answer as default
    ask(child, 2)
    child.expect_exact("[4]")
    child.sendline("")
    ask(child, 3)
    child.sendline("s")  # skip: the default
    for number in range(4, TOTAL + 1):
        ask(child, number)
        child.sendline("Y" if number == TOTAL else "")  # any case, y for yes
    child.expect_exact("private question")
    child.sendline("n")
    child.expect_exact("Saved dev.yaml")
    assert finish(child) == 0
    saved = yaml.safe_load((tmp_path / "dev.yaml").read_text())
    assert saved["name"] == "Dev" and saved["intimacy"]["physical"] == 1.0
    assert saved["intimacy"]["emotional"] == 0.5  # skipped: the default
    assert saved["limited_mobility"] is True
    assert saved["max_contact"] == "none"  # the gentlest touch unless chosen
    assert "safety_concern" not in saved
    assert (tmp_path / "dev.yaml").stat().st_mode & 0o777 == 0o600


def test_an_existing_output_file_is_refused_before_any_question(tmp_path: Path) -> None:
    (tmp_path / "me.yaml").write_text("name: Old\n")
    child = spawn(["profile", "new", "-o", "me.yaml"], tmp_path)
    child.expect_exact("me.yaml exists")
    output = child.before or ""
    assert finish(child) == 2
    assert f"1/{TOTAL}" not in output
    assert (tmp_path / "me.yaml").read_text() == "name: Old\n"


def test_ctrl_c_exits_130_and_leaves_nothing_behind(tmp_path: Path) -> None:
    child = spawn(["profile", "new", "-o", "zed.yaml"], tmp_path)
    ask(child, 1)
    child.sendline("Zed")
    ask(child, 2)
    child.sendintr()
    child.expect_exact("closer: interrupted")
    assert finish(child) == 130
    assert list(tmp_path.iterdir()) == []


def test_a_yes_to_the_private_question_shows_support_to_that_person(tmp_path: Path) -> None:
    child = spawn(["profile", "new", "-o", "sam.yaml"], tmp_path)
    ask(child, 1)
    child.sendline("Sam")
    for number in range(2, TOTAL + 1):
        ask(child, number)
        child.sendline("")
    child.expect_exact("private question")
    child.sendline("yes")
    child.expect_exact("--safety-concern")
    assert finish(child) == 0
    assert yaml.safe_load((tmp_path / "sam.yaml").read_text())["safety_concern"] is True


def test_a_late_failure_keeps_the_answers_in_a_private_recovery_file(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("")
    child = spawn(["profile", "new", "-o", "not-a-folder/ana.yaml"], tmp_path)
    ask(child, 1)
    child.sendline("Ana")
    ask(child, 2)
    child.sendline("3")
    for number in range(3, TOTAL + 1):
        ask(child, number)
        child.sendline("")
    child.expect_exact("private question")
    child.sendline("")
    child.expect_exact("your answers are saved in")
    assert finish(child) == 2
    recovery = tmp_path / "ana.answers.yaml"
    assert recovery.stat().st_mode & 0o777 == 0o600
    assert yaml.safe_load(recovery.read_text())["physical"] == "3"
    resumed = spawn(["profile", "new", "--answers", str(recovery), "-o", "ana.yaml"], tmp_path)
    resumed.expect_exact("Saved ana.yaml")
    assert finish(resumed) == 0
    assert yaml.safe_load((tmp_path / "ana.yaml").read_text())["intimacy"]["physical"] == 0.75


@pytest.mark.parametrize("answer", ["y", "YES", "No", "n"])
def test_yes_no_questions_take_y_n_in_any_case(answer: str) -> None:
    from recommender.questionnaire import parse_answer

    assert parse_answer(QUESTIONS[-1], answer) in ("yes", "no")
