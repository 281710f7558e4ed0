"""What a pair has done: a private SQLite store (:class:`History`).

One SQLite file (stdlib :mod:`sqlite3`) holds, per pair, which activity they
did (or skipped as "not for us") on which day and how each person rated it
(1-5), which conversation cards ``closer ask`` showed them (as short hashes,
:meth:`History.mark_shown`) and which kind of relationship they last chose
(:meth:`History.remember_relationship`). Nothing else: no profiles, no free
text. It lives in
``platformdirs.user_data_dir("closer")`` (:func:`default_history_path`)
unless a path is given. What the history does to suggestions is
:mod:`recommender.feedback`.

* One name per pair: every pair argument goes through :func:`normalize_pair`
  here, so ``record("Ben-Ana", ...)`` and ``forget("ana-ben")`` meet, and
  migration 2 rewrote the keys older files held.
* Private: the file is created 0600 before SQLite opens it (its ``-wal`` and
  ``-shm`` files inherit that mode), an existing file opened for writing is
  tightened to 0600, and every folder it creates is 0700.
  :meth:`History.forget` deletes with ``secure_delete`` and truncates the
  write-ahead log, so a forgotten pair does not linger in free pages.
* Regular files only: a named pipe, a device (``/dev/null``) or a socket given
  as the path is refused before it is opened, so nothing hangs and nothing is
  created beside it.
* Concurrent: WAL mode lets readers work while one process writes; a writer
  takes the lock up front (``BEGIN IMMEDIATE``) and waits up to ``timeout``
  seconds (SQLite's busy timeout) instead of failing at once. Within one
  process, one :class:`History` may be shared by threads: its one connection
  is used under a lock.
* Durable: ``synchronous=NORMAL``. In WAL mode a committed record survives
  the process being killed at any moment; a power cut may lose the last
  commits but cannot corrupt the file.
* Careful: a file that is not a closer history (a text file, another
  program's SQLite database, a damaged file) is refused with a
  :class:`~recommender.errors.StoreError` before anything writes to it, so it
  is never overwritten or migrated. A closer history is recognised by its
  SQLite ``application_id`` and checked with ``PRAGMA quick_check`` once,
  when it is opened.
* Versioned: a ``schema_version`` table records which of the numbered
  :data:`MIGRATIONS` have run; missing ones run in one transaction, and a file
  from a newer closer is refused rather than touched. A read-only store reads
  files from :data:`READABLE_FROM` on: the later migrations only add tables,
  read as empty where they are missing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import numbers
import os
import re
import sqlite3
import stat
import threading
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from ._io import make_private_dirs, not_a_regular_file
from .errors import ConfigError, StoreError

__all__ = [
    "DEFAULT_WINDOW_DAYS",
    "MIGRATIONS",
    "READABLE_FROM",
    "History",
    "HistoryRecord",
    "PairHistory",
    "default_history_path",
    "normalize_pair",
    "pair_name",
]

logger = logging.getLogger(__name__)

#: Days within which an activity a pair has done is not suggested again.
DEFAULT_WINDOW_DAYS = 90
#: Seconds a writer waits for another process's lock before giving up.
DEFAULT_TIMEOUT = 10.0
#: A record may be dated at most this many days after today (time zones differ).
MAX_DAYS_AHEAD = 1
#: Newest records a :class:`PairHistory` snapshot holds (plenty for a weekly habit).
MAX_SNAPSHOT_RECORDS = 1000
MAX_PAIR_CHARS = 200
MAX_NAME_CHARS = 60

#: ``PRAGMA application_id`` of a closer history ("clsr"): tells it from other SQLite files.
APPLICATION_ID = 0x636C7372
SQLITE_MAGIC = b"SQLite format 3\x00"

#: Numbered schema migrations: migration ``i + 1`` is ``MIGRATIONS[i]``, run in order,
#: each statement inside one transaction with the ``schema_version`` row that marks it done.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE records ("
        " id INTEGER PRIMARY KEY,"
        " pair TEXT NOT NULL,"
        " activity_id TEXT NOT NULL,"
        " day TEXT NOT NULL)",
        "CREATE INDEX records_by_pair_day ON records (pair, day, id)",
        "CREATE TABLE ratings ("
        " record_id INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,"
        " person TEXT NOT NULL,"
        " rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),"
        " PRIMARY KEY (record_id, person)) WITHOUT ROWID",
    ),
    # 2: one key per pair. Older closers stored the library's pair names as given
    # ("ben-ana") while the CLI sorted them ("ana-ben"), so forget missed some.
    # closer_normalize_pair is normalize_pair, registered on every connection.
    ("UPDATE records SET pair = closer_normalize_pair(pair)",),
    # 3: "not for us" skips: hidden like a done item, with no ratings.
    (
        "ALTER TABLE records ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0"
        " CHECK (skipped IN (0, 1))",
    ),
    # 4: what a pair was shown and chose: the cards `ask` showed (one row per card;
    # seq counts the pair's cards in the order shown, the newest showing wins), and
    # the kind of relationship they last gave.
    (
        "CREATE TABLE shown ("
        " pair TEXT NOT NULL,"
        " card TEXT NOT NULL,"
        " seq INTEGER NOT NULL,"
        " PRIMARY KEY (pair, card)) WITHOUT ROWID",
        "CREATE INDEX shown_by_pair_seq ON shown (pair, seq)",
        "CREATE TABLE pairs (pair TEXT PRIMARY KEY, relationship TEXT) WITHOUT ROWID",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
#: Oldest schema a read-only store reads: newer migrations only add tables.
READABLE_FROM = 3
#: Newest cards a :class:`PairHistory` snapshot holds (more than a catalogue has).
MAX_SNAPSHOT_CARDS = 5000

#: Every column a :class:`HistoryRecord` needs, one row per rating (unrated: NULLs).
_SELECT_RECORDS = (
    "SELECT r.id, r.activity_id, r.day, r.skipped, g.person, g.rating"
    " FROM records AS r LEFT JOIN ratings AS g ON g.record_id = r.id"
)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")  # schema.SLUG_PATTERN; a test keeps them equal
_CARD = re.compile(r"^[0-9a-f]{8,64}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


_SEPARATORS = re.compile(r"[\s_.\-]+")


def _name_key(name: str) -> str:
    """One person's name as a key: case-folded, accents dropped, separators -> '-'."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub("-", plain).strip("-")


def normalize_pair(name: str) -> str:
    """The one key a pair is stored under, whoever spelled it.

    Case-folded, accents dropped (NFKD), spaces, underscores and dots become
    '-', runs of dashes collapse; a key of two names at one '-' is sorted, as
    :func:`pair_name` sorts them. Every :class:`History` method applies it, so
    ``"Ben-Ana"``, ``"ana-ben"`` and ``"ana_ben"`` are one pair.

    Examples
    --------
    >>> normalize_pair("Ben-Ana"), normalize_pair(" ana_ben "), normalize_pair("José.Ben")
    ('ana-ben', 'ana-ben', 'ben-jose')
    >>> normalize_pair("ben-mary-jo")  # three parts: which two are the names is unknown
    'ben-mary-jo'
    """
    key = _name_key(name)
    parts = key.split("-")
    if len(parts) == 2:
        return "-".join(sorted(parts))
    return key


def pair_name(a: str, b: str) -> str:
    """The default name of a pair: both names normalised, sorted, joined by '-'.

    Examples
    --------
    >>> pair_name("Ben", "Ana"), pair_name("José María", "Ben")
    ('ana-ben', 'ben-jose-maria')
    """
    return normalize_pair("-".join(sorted(_name_key(n) for n in (a, b))))


def default_history_path() -> Path:
    """Where the history lives unless a path is given: the user's data folder.

    Examples
    --------
    >>> default_history_path().name
    'history.sqlite3'
    """
    import platformdirs

    return Path(platformdirs.user_data_dir("closer")) / "history.sqlite3"


@dataclass(frozen=True)
class HistoryRecord:
    """One thing a pair did (or skipped): which activity, when, each person's rating (1-5)."""

    activity_id: str
    day: dt.date
    ratings: Mapping[str, int] = field(default_factory=dict)  # lower-cased person name -> 1..5
    #: The store's row id (for :meth:`History.delete`); 0 for a record made by hand.
    id: int = 0
    #: True for a "not for us" skip: hidden like a done item, no ratings.
    skipped: bool = False


@dataclass(frozen=True)
class PairHistory:
    """A read-only snapshot of one pair's history, handed to ``Recommender.recommend``.

    ``records`` run newest first (as :meth:`History.for_pair` returns them).

    Examples
    --------
    >>> snap = PairHistory("ana-ben", (HistoryRecord("stargaze", dt.date(2025, 3, 1)),),
    ...                    today=dt.date(2025, 4, 1))
    >>> snap.recent_ids()
    {'stargaze'}
    """

    pair: str
    records: tuple[HistoryRecord, ...] = ()
    today: dt.date = field(default_factory=dt.date.today)
    window_days: int = DEFAULT_WINDOW_DAYS
    #: Keys of the conversation cards the pair was shown, the most recent first
    #: (``recommender.conversation.card_key``): ask prefers the others.
    shown: tuple[str, ...] = ()
    #: The kind of relationship the pair last chose (a ``Relationship`` value), if any.
    relationship: str | None = None

    def recent_ids(self) -> set[str]:
        """Activity ids done within ``window_days`` of ``today``."""
        start = self.today - dt.timedelta(days=self.window_days)
        return {r.activity_id for r in self.records if r.day > start}


# ---------------------------------------------------------------- argument checks


def _check_pair(pair: Any) -> str:
    if isinstance(pair, str) and len(pair) <= 4 * MAX_PAIR_CHARS and not _CONTROL.search(pair):
        name = normalize_pair(pair)
        if 0 < len(name) <= MAX_PAIR_CHARS:
            return name
    raise ConfigError(
        f"pair name must be text of 1..{MAX_PAIR_CHARS} characters without control "
        f"characters (e.g. 'ana-ben'), got {pair!r}"
    )


def _check_activity_id(activity_id: Any) -> str:
    if isinstance(activity_id, str) and _SLUG.match(activity_id):
        return activity_id
    raise ConfigError(
        "activity id must be a slug (lowercase letters, digits and dashes, 2-64 "
        f"characters, e.g. 'stargaze'), got {activity_id!r}"
    )


def _check_ratings(ratings: Any) -> dict[str, int]:
    if ratings is None:
        return {}
    if not isinstance(ratings, Mapping):
        raise ConfigError(
            f"ratings must be a mapping of person name -> 1..5, got {type(ratings).__name__}"
        )
    out: dict[str, int] = {}
    for person, rating in ratings.items():
        if not isinstance(person, str) or not 0 < len(person.strip()) <= MAX_NAME_CHARS:
            raise ConfigError(
                f"ratings: person names must be text of 1..{MAX_NAME_CHARS} characters, "
                f"got {person!r}"
            )
        key = person.strip().lower()
        if key in out:
            raise ConfigError(f"ratings: {key!r} is rated twice (names ignore case)")
        if (
            isinstance(rating, bool)
            or not isinstance(rating, numbers.Integral)
            or not 1 <= int(rating) <= 5
        ):
            raise ConfigError(
                f"ratings: rating for {key!r} must be an integer 1..5, got {rating!r}"
            )
        out[key] = int(rating)
    return dict(sorted(out.items()))


def _check_day(day: Any, today: dt.date | None = None) -> dt.date:
    today = dt.date.today() if today is None else today
    if day is None:
        return today
    when: dt.date
    if isinstance(day, str):
        try:
            when = dt.date.fromisoformat(day.strip())
        except ValueError:
            raise ConfigError(f"day must be a date as YYYY-MM-DD, got {day!r}") from None
    elif isinstance(day, dt.datetime):
        when = day.date()
    elif isinstance(day, dt.date):
        when = day
    else:
        raise ConfigError(f"day must be a date or YYYY-MM-DD text, got {type(day).__name__}")
    latest = today + dt.timedelta(days=MAX_DAYS_AHEAD)
    if when > latest:
        raise ConfigError(
            f"day must not be in the future (latest allowed {latest.isoformat()}), "
            f"got {when.isoformat()}"
        )
    return when


def _check_limit(limit: Any) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ConfigError(f"limit must be an integer >= 0 or None, got {limit!r}")


def _check_cards(cards: Any) -> list[str]:
    if isinstance(cards, (str, bytes)) or not isinstance(cards, (list, tuple)):
        raise ConfigError(f"cards must be a list of card keys, got {type(cards).__name__}")
    for card in cards:
        if not isinstance(card, str) or not _CARD.match(card):
            raise ConfigError(
                f"a card key is 8..64 lowercase hex digits (conversation.card_key), got {card!r}"
            )
    return list(dict.fromkeys(cards))


def _check_relationship(relationship: Any) -> str:
    if isinstance(relationship, str) and _SLUG.match(relationship):
        return relationship
    raise ConfigError(
        f"relationship must be a Relationship value such as 'friends', got {relationship!r}"
    )


def _check_window(window_days: Any) -> int:
    if (
        isinstance(window_days, bool)
        or not isinstance(window_days, numbers.Integral)
        or not (0 <= int(window_days) <= 3650)
    ):
        raise ConfigError(f"window_days must be an integer 0..3650, got {window_days!r}")
    return int(window_days)


# ---------------------------------------------------------------- the store


class History:
    """A pair-activity history in one SQLite file (see the module docstring).

    Parameters
    ----------
    path : str or path-like, optional
        The file; :func:`default_history_path` when omitted. Created (0600) if
        missing, unless ``readonly``.
    timeout : float, default=10.0
        Seconds to wait for another process's write lock before raising
        :class:`~recommender.errors.StoreError`.
    readonly : bool, default=False
        Open for reading only: nothing is created, migrated or written.

    Raises
    ------
    StoreError
        The file cannot be created or opened, is damaged, is not a closer
        history, comes from a newer closer, or stays locked past ``timeout``.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with History(Path(folder) / "history.sqlite3") as store:
    ...     _ = store.record("ana-ben", "stargaze", {"Ana": 5, "Ben": 3}, day="2025-03-01")
    ...     [(r.activity_id, r.ratings["ben"]) for r in store.records("ana-ben")]
    [('stargaze', 3)]
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        readonly: bool = False,
    ) -> None:
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not math.isfinite(timeout)
            or timeout < 0
        ):
            raise ConfigError(f"timeout must be a number of seconds >= 0, got {timeout!r}")
        self.path = Path(path) if path is not None else default_history_path()
        self.timeout = float(timeout)
        self.readonly = bool(readonly)
        # One connection shared by the threads of this process, used under this lock:
        # a transaction is never interleaved with another thread's statements.
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._schema = 0  # the file's schema version, once open
        self._conn = self._open()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "open"
        return f"History({str(self.path)!r}, {state})"

    # ------------------------------------------------------------ opening

    def _open(self) -> sqlite3.Connection:
        with self._errors("open the history"):
            self._check_regular()
        if self.readonly:
            if not self.path.is_file():
                raise StoreError(f"{self.path}: no history file there (opened read-only)")
        else:
            with self._errors("create the history file"):
                self._create_file()
        with self._errors("open the history"):
            self._check_header()
            if not self.readonly:
                self._tighten_mode()
            target = f"{self.path.resolve().as_uri()}?mode=ro" if self.readonly else self.path
            conn = sqlite3.connect(
                target,
                uri=self.readonly,
                timeout=self.timeout,
                isolation_level=None,
                check_same_thread=False,  # shared by threads under self._lock
            )
        try:
            with self._errors("open the history"):
                conn.create_function("closer_normalize_pair", 1, normalize_pair, deterministic=True)
                self._prepare(conn)
        except BaseException:
            conn.close()
            raise
        logger.debug("opened a history store (schema version %d)", SCHEMA_VERSION)
        return conn

    def _check_regular(self) -> None:
        """Refuse a pipe, device or socket before opening it: it would hang or be replaced."""
        problem = not_a_regular_file(self.path)
        if problem and not self.path.is_dir():  # a folder is named as such when opened
            raise StoreError(f"{self.path}: {problem}; a history must be a regular file")

    def _create_file(self) -> None:
        """Create the file 0600 (and every folder it needs 0700) before SQLite sees it."""
        make_private_dirs(self.path.parent)
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return  # never touch an existing file here: it is checked next
        try:
            os.fchmod(fd, 0o600)  # the mode given to os.open is reduced by the umask
        finally:
            os.close(fd)

    def _check_header(self) -> None:
        """Refuse anything that is not an (empty or) SQLite file, reading only."""
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, expected a history file")
        # O_NONBLOCK: a pipe swapped in after the check above must not hang the open.
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise StoreError(f"{self.path}: is not a regular file; use another history path")
            head = handle.read(len(SQLITE_MAGIC))
        if head and head != SQLITE_MAGIC:
            raise StoreError(
                f"{self.path}: is not a closer history (not an SQLite database); it was left "
                "untouched: move it away or use another history path"
            )

    def _tighten_mode(self) -> None:
        """An older or copied history readable by others becomes 0600 (and its companions)."""
        for path in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            try:
                info = os.stat(path)
                if stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) & 0o077:
                    os.chmod(path, 0o600)
                    logger.info("history file %s tightened to mode 0600", path.name)
            except FileNotFoundError:
                continue
            except PermissionError:  # not ours to change: SQLite reports it if it matters
                logger.debug("could not tighten the mode of %s", path.name)

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """Check the file is ours and sound, then switch to WAL and migrate."""
        # One read snapshot: another process may be creating this file right now,
        # and its id and tables must be seen together, before or after its commit.
        conn.execute("BEGIN")
        try:
            version = self._inspect(conn)
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        self._schema = version
        if self.readonly:
            if version < READABLE_FROM:
                raise StoreError(
                    f"{self.path}: history schema version {version} needs upgrading to "
                    f"{SCHEMA_VERSION}, which a read-only store cannot do; open it once "
                    "for writing"
                )
            return
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{self.path}: cannot switch the history to WAL mode (got {mode})")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA secure_delete=ON")
        if version < SCHEMA_VERSION:
            self._migrate(conn)
            self._schema = SCHEMA_VERSION

    def _inspect(self, conn: sqlite3.Connection) -> int:
        """The schema version of a closer history (0 when new); refuse anything else."""
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        n_objects = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id != APPLICATION_ID and not (app_id == 0 and n_objects == 0):
            raise StoreError(
                f"{self.path}: is an SQLite database but not a closer history "
                f"(application_id {app_id}, {n_objects} schema objects); it was left "
                "untouched: move it away or use another history path"
            )
        if app_id == APPLICATION_ID:
            problems = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                raise StoreError(
                    f"{self.path}: the history file is damaged ({'; '.join(problems[:3])}); "
                    "it was left untouched: move it away or use another history path"
                )
        version = self._version(conn)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: was written by a newer closer (history schema version "
                f"{version}; this closer knows up to {SCHEMA_VERSION}); it was left untouched"
            )
        return version

    @staticmethod
    def _version(conn: sqlite3.Connection) -> int:
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        if not exists:
            return 0
        return int(
            conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
        )

    def _migrate(self, conn: sqlite3.Connection) -> None:
        with self._transaction(conn):
            # Another process may have migrated while this one waited for the lock.
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY, applied TEXT NOT NULL)"
            )
            version = self._version(conn)
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[number - 1]:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_version (version, applied) VALUES (?, ?)",
                    (number, dt.date.today().isoformat()),
                )
                logger.info("history schema migrated to version %d", number)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    # ------------------------------------------------------------ plumbing

    @contextlib.contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Turn sqlite3 and OS errors into one StoreError naming the file."""
        try:
            yield
        except sqlite3.Error as exc:
            raise self._store_error(action, exc) from None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot {action}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:  # SQLite quotes a damaged schema that is not UTF-8
            raise StoreError(
                f"{self.path}: is damaged or not a closer history (unreadable schema); it was "
                "left untouched: move it away or use another history path"
            ) from None

    def _store_error(self, action: str, exc: sqlite3.Error) -> StoreError:
        code = str(getattr(exc, "sqlite_errorname", ""))
        text = str(exc)
        lowered = text.lower()
        if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in lowered:
            return StoreError(
                f"{self.path}: cannot {action}: another process kept the history locked for "
                f"more than {self.timeout:g} s; try again when it has finished"
            )
        if code.startswith("SQLITE_READONLY") or "readonly" in lowered:
            return StoreError(
                f"{self.path}: cannot {action}: the history file is read-only (check the "
                "permissions of the file and its folder)"
            )
        if (
            code in ("SQLITE_CORRUPT", "SQLITE_NOTADB")
            or "malformed" in lowered
            or ("not a database" in lowered)
        ):
            return StoreError(
                f"{self.path}: is damaged or not a closer history ({text}); it was left "
                "untouched: move it away or use another history path"
            )
        if code.startswith("SQLITE_CANTOPEN"):
            return StoreError(
                f"{self.path}: cannot {action}: the file cannot be opened (check that its "
                "folder exists and is writable)"
            )
        if code == "SQLITE_FULL":
            return StoreError(f"{self.path}: cannot {action}: the disk is full")
        return StoreError(f"{self.path}: cannot {action}: {text}")

    @contextlib.contextmanager
    def _transaction(self, conn: sqlite3.Connection) -> Iterator[None]:
        # IMMEDIATE takes the write lock first, so the busy timeout applies to it;
        # a deferred transaction upgrading to write would fail at once instead.
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextlib.contextmanager
    def _using(self, action: str, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        """The connection, held by this thread for the block; store errors translated."""
        with self._lock:
            if self._conn is None:
                raise StoreError(f"{self.path}: the history store is closed")
            if write:
                self._check_writable(action)
            with self._errors(action):
                yield self._conn

    def _check_writable(self, action: str) -> None:
        if self.readonly:
            raise StoreError(f"{self.path}: cannot {action}: the history was opened read-only")

    # ------------------------------------------------------------ API

    def record(
        self,
        pair: str,
        activity_id: str,
        ratings: Mapping[str, int] | None = None,
        day: dt.date | str | None = None,
        *,
        skipped: bool = False,
    ) -> HistoryRecord:
        """Record that ``pair`` did ``activity_id`` on ``day`` (default today).

        ``day`` may also be given by position, as before ``skipped`` existed.
        ``ratings`` maps each person's name (any case) to 1..5. With
        ``skipped=True`` the pair said "not for us": the item is hidden like a
        done one but carries no ratings, so it moves no profile. Raises
        :class:`~recommender.errors.ConfigError` for a bad argument and
        :class:`~recommender.errors.StoreError` when the file cannot be written.
        """
        name = _check_pair(pair)
        activity = _check_activity_id(activity_id)
        scores = _check_ratings(ratings)
        when = _check_day(day)
        if not isinstance(skipped, bool):
            raise ConfigError(f"skipped must be True or False, got {skipped!r}")
        if skipped and scores:
            raise ConfigError("a skipped activity carries no ratings: give ratings=None")
        with self._using("record an activity", write=True) as conn, self._transaction(conn):
            cursor = conn.execute(
                "INSERT INTO records (pair, activity_id, day, skipped) VALUES (?, ?, ?, ?)",
                (name, activity, when.isoformat(), int(skipped)),
            )
            conn.executemany(
                "INSERT INTO ratings (record_id, person, rating) VALUES (?, ?, ?)",
                [(cursor.lastrowid, person, rating) for person, rating in scores.items()],
            )
            record_id = int(cursor.lastrowid or 0)
        logger.debug("recorded an activity with %d ratings", len(scores))
        return HistoryRecord(activity, when, scores, record_id, skipped)

    def records(
        self, pair: str, *, until: dt.date | None = None, limit: int | None = None
    ) -> tuple[HistoryRecord, ...]:
        """A pair's records, newest first (by day, then by when they were recorded).

        ``until`` drops records dated after it; ``limit`` keeps the newest ``limit``.
        """
        name = _check_pair(pair)
        _check_limit(limit)
        if until is not None and not isinstance(until, dt.date):
            raise ConfigError(f"until must be a date or None, got {type(until).__name__}")
        last_day = "9999-12-31" if until is None else until.isoformat()
        with self._using("read the history") as conn:
            rows = conn.execute(
                _SELECT_RECORDS  # noqa: S608 - constant SQL; every value is bound
                + " WHERE r.id IN (SELECT id FROM records WHERE pair = ?"
                " AND day <= ? ORDER BY day DESC, id DESC LIMIT ?)"
                " ORDER BY r.day DESC, r.id DESC, g.person",
                (name, last_day, -1 if limit is None else limit),
            ).fetchall()
        return self._grouped(rows)

    def _grouped(self, rows: list[Any]) -> tuple[HistoryRecord, ...]:
        """Rows of :data:`_SELECT_RECORDS` (one per rating) as records, in row order."""
        grouped: dict[int, tuple[str, str, int, dict[str, int]]] = {}
        for record_id, activity, day, skipped, person, rating in rows:
            entry = grouped.setdefault(record_id, (activity, day, skipped, {}))
            if person is not None:
                entry[3][person] = int(rating)
        try:
            return tuple(
                HistoryRecord(activity, dt.date.fromisoformat(day), scores, record_id, bool(skip))
                for record_id, (activity, day, skip, scores) in grouped.items()
            )
        except (TypeError, ValueError):
            raise StoreError(
                f"{self.path}: the history file is damaged (a record has a day that is not "
                "YYYY-MM-DD)"
            ) from None

    def for_pair(
        self,
        pair: str,
        today: dt.date | None = None,
        window_days: int = DEFAULT_WINDOW_DAYS,
    ) -> PairHistory:
        """A snapshot of ``pair``'s history as of ``today``, for ``recommend(history=...)``.

        Holds the newest :data:`MAX_SNAPSHOT_RECORDS` records dated up to ``today``.
        """
        name = _check_pair(pair)
        window = _check_window(window_days)
        if today is None:
            today = dt.date.today()
        elif not isinstance(today, dt.date):
            raise ConfigError(f"today must be a date, got {type(today).__name__}")
        records = self.records(name, until=today, limit=MAX_SNAPSHOT_RECORDS)
        shown = self.shown(name, limit=MAX_SNAPSHOT_CARDS)
        return PairHistory(name, records, today, window, shown, self.relationship(name))

    # ------------------------------------------------------------ cards and kinds

    def mark_shown(self, pair: str, cards: list[str] | tuple[str, ...]) -> int:
        """Record that ``pair`` was shown these cards (keys from ``conversation.card_key``),
        in this order; returns how many were recorded.

        A card shown before becomes the newest. Nothing but the keys (hashes of
        the catalogue's prompts) is stored.
        """
        name = _check_pair(pair)
        keys = _check_cards(cards)
        with self._using("record the cards shown", write=True) as conn, self._transaction(conn):
            last = int(
                conn.execute(
                    "SELECT coalesce(max(seq), 0) FROM shown WHERE pair = ?", (name,)
                ).fetchone()[0]
            )
            conn.executemany(
                "INSERT INTO shown (pair, card, seq) VALUES (?, ?, ?)"
                " ON CONFLICT (pair, card) DO UPDATE SET seq = excluded.seq",
                [(name, key, last + i) for i, key in enumerate(keys, 1)],
            )
        logger.debug("recorded %d cards shown", len(keys))
        return len(keys)

    def shown(self, pair: str, *, limit: int | None = None) -> tuple[str, ...]:
        """Keys of the cards ``pair`` was shown, the most recently shown first (empty on
        a file from before cards were recorded, opened read-only)."""
        name = _check_pair(pair)
        _check_limit(limit)
        with self._using("read the cards shown") as conn:
            if self._schema < 4:
                return ()
            rows = conn.execute(
                "SELECT card FROM shown WHERE pair = ? ORDER BY seq DESC LIMIT ?",
                (name, -1 if limit is None else limit),
            ).fetchall()
        return tuple(row[0] for row in rows)

    def remember_relationship(self, pair: str, relationship: str) -> None:
        """Keep the kind of relationship ``pair`` chose (a ``Relationship`` value)."""
        name = _check_pair(pair)
        kind = _check_relationship(relationship)
        with self._using("remember the relationship", write=True) as conn, self._transaction(conn):
            conn.execute(
                "INSERT INTO pairs (pair, relationship) VALUES (?, ?)"
                " ON CONFLICT (pair) DO UPDATE SET relationship = excluded.relationship",
                (name, kind),
            )

    def relationship(self, pair: str) -> str | None:
        """The kind of relationship ``pair`` last chose; None when never given."""
        name = _check_pair(pair)
        with self._using("read the history") as conn:
            if self._schema < 4:
                return None
            row = conn.execute("SELECT relationship FROM pairs WHERE pair = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def forget(self, pair: str) -> int:
        """Delete everything about ``pair``; returns how many records went."""
        name = _check_pair(pair)
        with self._using("forget a pair", write=True) as conn:
            with self._transaction(conn):
                conn.execute(
                    "DELETE FROM ratings"
                    " WHERE record_id IN (SELECT id FROM records WHERE pair = ?)",
                    (name,),
                )
                removed = conn.execute("DELETE FROM records WHERE pair = ?", (name,)).rowcount
                conn.execute("DELETE FROM shown WHERE pair = ?", (name,))
                conn.execute("DELETE FROM pairs WHERE pair = ?", (name,))
            self._truncate_log(conn)
        logger.debug("forgot a pair: %d records", removed)
        return int(removed)

    def delete(self, record_id: int) -> HistoryRecord:
        """Delete one record by its :attr:`HistoryRecord.id`; returns what it held.

        Raises :class:`~recommender.errors.StoreError` when no record has that id.
        """
        if isinstance(record_id, bool) or not isinstance(record_id, int) or record_id < 1:
            raise ConfigError(f"record id must be an integer >= 1, got {record_id!r}")
        with self._using("delete a record", write=True) as conn:
            with self._transaction(conn):
                rows = conn.execute(
                    _SELECT_RECORDS + " WHERE r.id = ?",
                    (record_id,),
                ).fetchall()
                if not rows:
                    raise StoreError(f"{self.path}: no history record has id {record_id}")
                conn.execute("DELETE FROM ratings WHERE record_id = ?", (record_id,))
                conn.execute("DELETE FROM records WHERE id = ?", (record_id,))
            self._truncate_log(conn)
        logger.debug("deleted one history record")
        return self._grouped(rows)[0]

    def undo(self, pair: str) -> HistoryRecord | None:
        """Delete ``pair``'s newest record (the last one recorded); None when it has none."""
        name = _check_pair(pair)
        with self._using("undo a record", write=True) as conn:
            row = conn.execute(
                "SELECT id FROM records WHERE pair = ? ORDER BY id DESC LIMIT 1", (name,)
            ).fetchone()
            if row is None:
                return None
            return self.delete(int(row[0]))  # the lock is re-entrant: nothing slips between

    @staticmethod
    def _truncate_log(conn: sqlite3.Connection) -> None:
        # Old page images live on in the write-ahead log until a checkpoint; truncate
        # it so deleted rows do not linger. Best effort: readers may hold it open.
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        if busy:
            logger.debug("history checkpoint after a delete was deferred (readers active)")

    def pairs(self) -> list[str]:
        """The names of every pair the history knows (a record, cards shown or a
        relationship kind), sorted."""
        with self._using("read the history") as conn:
            rows = conn.execute(
                "SELECT pair FROM records UNION SELECT pair FROM shown"
                " UNION SELECT pair FROM pairs ORDER BY pair"
                if self._schema >= 4
                else "SELECT DISTINCT pair FROM records ORDER BY pair"
            ).fetchall()
        return [row[0] for row in rows]

    def close(self) -> None:
        """Close the file; further calls raise StoreError. Closing twice is fine."""
        with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
