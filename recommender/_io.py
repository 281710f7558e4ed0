"""File reading and atomic writing shared by every loader and store."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import Problem, RecommenderError

#: Largest text file any loader reads; bigger inputs are refused before reading.
MAX_FILE_BYTES = 64 * 1024 * 1024


def read_text(
    path: Path, source: str, error: type[RecommenderError], max_bytes: int = MAX_FILE_BYTES
) -> str:
    """Read a UTF-8 text file (a BOM is allowed) or raise ``error`` naming it."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise error(
                Problem(
                    f"file is too large ({size} bytes; the limit is {max_bytes})",
                    source=source,
                    has_value=False,
                )
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(Problem("no such file", source=source, has_value=False)) from None
    except IsADirectoryError:
        raise error(
            Problem("is a folder, expected a file", source=source, has_value=False)
        ) from None
    except OSError as exc:
        raise error(
            Problem(f"cannot read: {exc.strerror or exc}", source=source, has_value=False)
        ) from None
    if b"\x00" in data:
        raise error(
            Problem("is a binary file, expected UTF-8 text", source=source, has_value=False)
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            Problem(
                f"is not UTF-8 text (bad byte at offset {exc.start})",
                source=source,
                has_value=False,
            )
        ) from None


def atomic_write_text(path: Path, text: str, mode: int = 0o644) -> None:
    """Write UTF-8 ``text`` atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never half.

    The file is written next to its target, flushed to disk, given ``mode``
    and renamed over the target; on any failure the target is untouched.
    """
    path = Path(path)
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
