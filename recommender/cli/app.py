"""The ``closer`` click group and its entry point: library errors become exit codes here, once.

Write failures end here too: a :class:`~recommender.errors.WriteError` from the
library, or an :class:`OSError` from writing the output (``--json >
/dev/full``), prints one line ``closer: ...`` and exits 1 when the disk is full
or a file size limit was hit (ENOSPC, EDQUOT, EFBIG: retrying elsewhere may
work), 2 otherwise (a read-only folder, a device path: fix the command).
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

import recommender as rc
from recommender.cli.render import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_NOTHING_FITS,
    _fail,
)

#: Write errors that mean "no room": the same command may work elsewhere (exit 1).
_NO_ROOM = frozenset(
    code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None), errno.EFBIG) if code
)


def _silence_stdout() -> None:
    """Point stdout at the null device, so exiting cannot fail to flush it again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _write_failed(exc: OSError) -> NoReturn:
    """One line for a file or the output that could not be written; exit 1 or 2."""
    code = EXIT_NOTHING_FITS if exc.errno in _NO_ROOM else EXIT_BAD_INPUT
    if isinstance(exc, rc.RecommenderError):  # WriteError: the library named the file
        message = str(exc)
    else:
        where = exc.filename if exc.filename is not None else "cannot write the output"
        message = f"{where}: {exc.strerror or exc}"
    if exc.filename is None and not isinstance(exc, rc.RecommenderError):
        _silence_stdout()  # the failed output must not be flushed once more at exit
    _fail([message], code)


def _flush_output() -> None:
    """Flush stdout now, so a full disk or a closed reader is reported, not a traceback."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as exc:
        _write_failed(exc)


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
            result = super().main(args, prog_name, complete_var, False, **extra)
            _flush_output()
            return result
        except click.exceptions.Exit as exc:
            _flush_output()
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
            _silence_stdout()
            sys.exit(0)
        except rc.NoSuggestionsError as exc:
            _fail(str(exc).splitlines(), EXIT_NOTHING_FITS)
        except rc.WriteError as exc:
            _write_failed(exc)
        except rc.RecommenderError as exc:
            _fail(str(exc).splitlines() or [type(exc).__name__], EXIT_BAD_INPUT)
        except OSError as exc:  # writing the output, or a file the library did not wrap
            _write_failed(exc)


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
        _silence_stdout()
        sys.exit(0)
