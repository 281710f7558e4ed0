"""The ``closer`` click group and its entry point: library errors become exit codes here, once."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import click

import recommender as rc
from recommender.cli.render import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_NOTHING_FITS,
    _fail,
)


def usage_line(exc: click.ClickException) -> str:
    """A click usage error as one ``closer: ...`` line, naming the command's --help."""
    message = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    if ctx is not None and isinstance(exc, click.UsageError):
        command = " ".join(["closer", *ctx.command_path.split()[1:]])
        message += f" (see '{command} --help')"
    return f"closer: {message}"


class CloserGroup(click.Group):
    """A click group that turns library errors into exit codes and one-line messages."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Click's main, with its usage errors in closer's one error style (exit 2)."""
        try:
            return super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.Exit as exc:
            if not standalone_mode:
                raise
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(usage_line(exc), err=True)
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            click.echo("\ncloser: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader went away (``closer catalog list | head -1``): exit quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except rc.NoSuggestionsError as exc:
            _fail(str(exc).splitlines(), EXIT_NOTHING_FITS)
        except rc.RecommenderError as exc:
            _fail(str(exc).splitlines() or [type(exc).__name__], EXIT_BAD_INPUT)


@click.group(cls=CloserGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(rc.__version__, prog_name="closer")
def main() -> None:
    """Suggest shared activities that bring two people closer.

    \b
    Example:
      closer suggest examples/ana.yaml examples/ben.yaml --minutes 90
    """


def run(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``closer`` script: exit codes for usage errors, Ctrl-C, closed pipes."""
    try:
        main.main(args=argv, prog_name="closer")
    except BrokenPipeError:
        # The reader went away (``closer catalog list | head -1``): exit quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
