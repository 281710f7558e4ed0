"""File reading, parsing limits and atomic writing shared by every loader and store.

Every loader reads through :func:`read_text` and parses through
:func:`yaml_load` / :func:`json_load`, so one set of limits keeps time and
memory bounded whatever a file holds (SECURITY.md states them):

* a file over :data:`MAX_FILE_BYTES` is refused from its size, unread, and no
  read takes more than that many bytes (``/dev/zero`` included);
* :func:`structure_marks` counts the characters that can open or separate a
  value, so a loader can refuse a file that would build millions of objects
  before parsing it;
* :func:`count_values` walks a parsed document with a budget, so a YAML alias
  bomb (whose aliases share one object and cost nothing to parse) or a
  document nested deeper than :data:`MAX_DEPTH` is refused before validation
  walks it;
* a key written twice in one mapping is an error, not a silent overwrite.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from .errors import Problem, RecommenderError, WriteError

#: Largest text file any loader reads; bigger inputs are refused before reading.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Deepest nesting of lists and mappings in any document (a catalogue needs 4).
MAX_DEPTH = 32
#: Characters that can open or separate a value in YAML, JSON, JSON Lines or CSV.
STRUCTURE_MARKS = "{[,:;-?\n"
READ_CHUNK = 1 << 20


def read_text(
    path: Path, source: str, error: type[RecommenderError], max_bytes: int = MAX_FILE_BYTES
) -> str:
    """Read a UTF-8 text file (a BOM is allowed) or raise ``error`` naming it.

    Examples
    --------
    >>> from recommender.errors import ProfileError
    >>> read_text(Path("/nonexistent/a.yaml"), "a.yaml", ProfileError)
    Traceback (most recent call last):
    ...
    recommender.errors.ProfileError: a.yaml: no such file
    """
    try:
        # O_NONBLOCK (POSIX): opening a named pipe nobody writes to must not hang;
        # the descriptor is made blocking again before reading.
        nonblocking = getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, os.O_RDONLY | nonblocking | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError
            if info.st_size > max_bytes:
                raise error(
                    Problem(
                        f"file is too large ({info.st_size} bytes; the limit is {max_bytes})",
                        source=source,
                        has_value=False,
                    )
                )
            if nonblocking:
                os.set_blocking(fd, True)
            # Ask for the stated size (+1 to notice growth), then chunks: pipes and
            # devices state 0, and /dev/zero never ends. Never past the limit.
            chunks: list[bytes] = []
            total = 0
            want = info.st_size + 1 if stat.S_ISREG(info.st_mode) else READ_CHUNK
            while total <= max_bytes:
                chunk = handle.read(min(want, max_bytes + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                want = READ_CHUNK
            data = b"".join(chunks)
        if len(data) > max_bytes:
            raise error(
                Problem(
                    f"file is too large (more than {max_bytes} bytes, the limit)",
                    source=source,
                    has_value=False,
                )
            )
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


def structure_marks(text: str) -> int:
    """Count the characters that can open or separate a value (:data:`STRUCTURE_MARKS`).

    A parser builds at most about this many objects from ``text`` (YAML
    aliases aside, which :func:`count_values` catches), so a loader can refuse
    an oversized document before parsing it. Real catalogues have about 1.4
    marks per value.

    Examples
    --------
    >>> structure_marks('[{"a": 1, "b": [2, 3]}]')
    7
    """
    return sum(text.count(mark) for mark in STRUCTURE_MARKS)


def count_values(document: Any, limit: int, max_depth: int = MAX_DEPTH) -> tuple[int, str | None]:
    """Count a parsed document's values, stopping as soon as a limit is passed.

    Every scalar, key, list and mapping counts; a shared object (a YAML alias)
    counts each time it is reached, because validation walks it that often.

    Returns
    -------
    count : int
        Values counted (at least ``limit + 1`` when the limit was passed).
    problem : str or None
        Why the document is refused, or None when it is within both limits.

    Examples
    --------
    >>> count_values({"a": [1, 2], "b": "x"}, limit=10)
    (7, None)
    >>> count_values([[[1]]], limit=10, max_depth=2)
    (3, 'is nested more than 2 levels deep')
    """
    too_many = (
        f"holds more than {limit} values (keys, scalars, lists and mappings; a YAML "
        "alias counts each time it is used)"
    )
    level: list[Any] = [document]
    count = 0
    depth = 0
    # Breadth first, one level at a time: list.extend runs in C, and checking the
    # next level's length as it grows stops an alias bomb after ``limit`` steps.
    while level:
        count += len(level)
        if count > limit:
            return count, too_many
        following: list[Any] = []
        for value in level:
            if isinstance(value, dict):
                if depth >= max_depth:
                    return count, f"is nested more than {max_depth} levels deep"
                following.extend(value)
                following.extend(value.values())
            elif isinstance(value, (list, tuple)):
                if depth >= max_depth:
                    return count, f"is nested more than {max_depth} levels deep"
                following.extend(value)
            else:
                continue
            if count + len(following) > limit:
                return count + len(following), too_many
        level = following
        depth += 1
    return count, None


@functools.cache
def _strict_safe_loader() -> Any:
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictSafeLoader(base):  # type: ignore[misc]
        """PyYAML's safe loader (no Python tags) that refuses a key written twice."""

        def flatten_mapping(self, node: Any) -> None:
            # Merge keys (<<) rewrite node.value in place, and a merged mapping may be
            # flattened again later: check each mapping's own keys once, as written.
            checked: set[int] = self.__dict__.setdefault("_keys_checked", set())
            if id(node) not in checked:
                checked.add(id(node))
                seen: set[tuple[str, str]] = set()
                for key_node, _ in node.value:
                    if not isinstance(key_node, yaml.ScalarNode):
                        continue
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    key = (key_node.tag, key_node.value)
                    if key in seen:
                        raise yaml.constructor.ConstructorError(
                            "while constructing a mapping",
                            node.start_mark,
                            f"found duplicate key {key_node.value!r}",
                            key_node.start_mark,
                        )
                    seen.add(key)
            super().flatten_mapping(node)

    return StrictSafeLoader


def yaml_load(text: str) -> Any:
    """Parse one YAML document with PyYAML's safe loader, refusing duplicate keys.

    Raises ``yaml.YAMLError`` for bad YAML (a ``!!python/...`` tag included),
    ``ValueError`` for a value Python refuses (an integer of over 4300 digits, a
    date like 2024-02-30) and ``RecursionError`` (pure-Python PyYAML only).

    Examples
    --------
    >>> yaml_load("name: Ana\\nmax_depth: 2\\n")
    {'name': 'Ana', 'max_depth': 2}
    >>> yaml_load("max_depth: 2\\nmax_depth: 5\\n")
    Traceback (most recent call last):
    ...
    yaml.constructor.ConstructorError: while constructing a mapping
    ...found duplicate key 'max_depth'...
    """
    import yaml

    return yaml.load(text, Loader=_strict_safe_loader())  # noqa: S506 - a SafeLoader subclass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r} in an object")
            seen.add(key)
    return mapping


def json_load(text: str) -> Any:
    """Parse JSON, refusing an object that holds one key twice.

    Raises ``json.JSONDecodeError`` for bad JSON, ``ValueError`` for a
    duplicate key or an integer of over 4300 digits, and ``RecursionError``
    for nesting deeper than Python's recursion limit.

    Examples
    --------
    >>> json_load('{"a": [1, NaN]}')
    {'a': [1, nan]}
    >>> json_load('{"a": 1, "a": 2}')
    Traceback (most recent call last):
    ...
    ValueError: duplicate key 'a' in an object
    """
    return json.loads(text, object_pairs_hook=_unique_keys)


def parse_failure(exc: ValueError) -> str:
    """A short reason for a ``ValueError`` out of a parser (first clause only).

    Examples
    --------
    >>> parse_failure(ValueError("Exceeds the limit (4300 digits) for integer string "
    ...                          "conversion: value has 5000 digits; use sys.set_int..."))
    'Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits'
    """
    return str(exc).split(";", 1)[0].strip() or type(exc).__name__


def atomic_write_text(path: Path, text: str, mode: int = 0o644) -> None:
    """Write UTF-8 ``text`` atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def make_private_dirs(folder: Path) -> None:
    """Create ``folder`` and every missing parent with mode 0700, whatever the umask.

    Folders that exist are left as they are.

    Examples
    --------
    >>> import tempfile
    >>> top = Path(tempfile.mkdtemp())
    >>> make_private_dirs(top / "a" / "b")
    >>> oct((top / "a").stat().st_mode & 0o777), oct((top / "a" / "b").stat().st_mode & 0o777)
    ('0o700', '0o700')
    """
    missing: list[Path] = []
    current = Path(folder)
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:
            continue  # made by another process meanwhile
        os.chmod(directory, 0o700)  # mkdir's mode is reduced by the umask


def write_failure(path: Path, exc: OSError) -> WriteError:
    """A :class:`~recommender.errors.WriteError` naming ``path`` and why, keeping ``errno``.

    Examples
    --------
    >>> import errno
    >>> str(write_failure(Path("a.yaml"), OSError(errno.ENOSPC, "No space left on device")))
    'a.yaml: cannot write: No space left on device (the disk is full)'
    """
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        reason += " (the disk is full)"
    elif exc.errno == errno.EFBIG:
        reason += " (over the file size limit)"
    return WriteError(f"{path}: cannot write: {reason}", exc.errno)


def not_a_regular_file(path: Path) -> str | None:
    """Why ``path`` is no place for a file closer reads or writes, or None when it is
    a regular file or missing. Checked with ``stat``, which never blocks on a pipe.

    Examples
    --------
    >>> not_a_regular_file(Path("/dev/null")), not_a_regular_file(Path("/nonexistent/x"))
    ('is not a regular file (a device, named pipe or socket)', None)
    """
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None  # creating it names the problem
    if stat.S_ISDIR(info.st_mode):
        return "is a folder, expected a file"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file (a device, named pipe or socket)"
    return None


def _check_replaceable(path: Path) -> None:
    """Refuse a target that is a folder, device, pipe or socket: never replace one."""
    problem = not_a_regular_file(path)
    if problem:
        raise WriteError(f"{path}: cannot write: {problem}; closer only writes regular files")


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never half.

    The file is written next to its target, flushed to disk, given ``mode``
    and renamed over the target; on any failure the target is untouched. A
    missing folder is made 0700. A target that is not a regular file (a
    device such as ``/dev/full``, a pipe) is never replaced.

    Raises
    ------
    WriteError
        The target cannot be written (a read-only folder, a full disk, ...).
    """
    path = Path(path)
    try:
        _check_replaceable(path)
        make_private_dirs(path.parent)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        if isinstance(exc, WriteError):
            raise
        raise write_failure(path, exc) from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise write_failure(path, exc) from None
        raise


def parse_document(text: str, source: str, syntax: str, error: type[RecommenderError]) -> Any:
    """Parse JSON (``syntax="json"``) or YAML (safe loader) text, or raise ``error``
    with one :class:`Problem` naming the file, and the line and column where known.

    A key written twice in one mapping is an error in both (a second ``max_depth``
    must never silently relax a limit).
    """
    import yaml

    name = "JSON" if syntax == "json" else "YAML"
    try:
        return json_load(text) if syntax == "json" else yaml_load(text)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        message = f"not valid YAML{where}: {problem}"
    except RecursionError:
        message = f"{name} nested too deeply"
    except ValueError as exc:  # a key written twice, a 5000-digit integer, 2024-02-30
        message = f"not valid {name}: {parse_failure(exc)}"
    raise error(Problem(message, source=source, has_value=False))
