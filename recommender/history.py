"""What a pair has done: a private SQLite store, and its effect on the next suggestions.

The store (:class:`History`)
----------------------------
One SQLite file (stdlib :mod:`sqlite3`) holds, per pair, which activity they
did on which day and how each person rated it (1-5). Nothing else: no
profiles, no free text. It lives in ``platformdirs.user_data_dir("closer")``
(:func:`default_history_path`) unless a path is given.

* Private: the file is created 0600 before SQLite opens it (its ``-wal`` and
  ``-shm`` files inherit that mode) and a folder it creates is 0700.
  :meth:`History.forget` deletes with ``secure_delete`` and truncates the
  write-ahead log, so a forgotten pair does not linger in free pages.
* Concurrent: WAL mode lets readers work while one process writes; a writer
  takes the lock up front (``BEGIN IMMEDIATE``) and waits up to ``timeout``
  seconds (SQLite's busy timeout) instead of failing at once.
* Durable: ``synchronous=NORMAL``. In WAL mode a committed record survives
  the process being killed at any moment; a power cut may lose the last
  commits but cannot corrupt the file.
* Careful: a file that is not a closer history (a text file, another
  program's SQLite database, a damaged file) is refused with a
  :class:`~recommender.errors.StoreError` before anything writes to it, so it
  is never overwritten or migrated. A closer history is recognised by its
  SQLite ``application_id`` and checked with ``PRAGMA quick_check`` on open.
* Versioned: a ``schema_version`` table records which of the numbered
  :data:`MIGRATIONS` have run; missing ones run in one transaction, and a file
  from a newer closer is refused rather than touched.

Effect on recommendations (:func:`apply_histories`)
---------------------------------------------------
``Recommender.recommend(..., history=...)`` hands the pair's
:class:`PairHistory` here. Nothing is refitted; four things change:

No repeats
    Activities done within ``window_days`` (default 90) of ``today`` are a
    hard filter (the ``recent`` constraint). Repetition is why people abandon
    today's apps (RESEARCH.md); 90 days is roughly a season.
Each person's profile moves (Rocchio)
    ``q' = 1.0 q + 0.75 mean(liked) - 0.15 mean(disliked)`` per person, from
    *their own* ratings (liked: >= 4, disliked: <= 2), with the common values
    of Rocchio's weights. It is applied to the five intimacy weights (the
    items' ``intimacy`` rows; the result keeps the person's former L2 length
    and is clipped to 0..1) and to the interest vector (the items' TF-IDF
    rows; negatives clipped, L2-normalised). Keeping the length matters: the
    type fit is a dot product, so the raw sum would raise the person's fit
    with *everything* after any good rating (in 26 simulated weeks the pair's
    scores ran away to +23%); kept, the update only turns the profile toward
    what they liked. Ratings are matched to people by lower-cased
    ``PersonProfile.name``.
Bad ratings lower an item
    An item either person last rated <= 2 loses :data:`DISLIKED_PENALTY`
    (0.2) of pair score. Top pair scores usually sit within about 0.1 of each
    other, so it drops out of the top of the list but can come back, lower,
    once the window has passed.
Fair across sessions
    When one person's mean rating over the pair's last :data:`FAIRNESS_RECORDS`
    (3) records is lower than the other's, the pair score gains
    ``FAIRNESS_LEAN * (gap / 4) * (fit_low - fit_other)`` (``FAIRNESS_LEAN`` =
    0.1; ``gap / 4`` is 0..1 on the 1-5 scale), so the list leans toward what
    suits whoever was served less (fairness over repeated sessions, see
    RESEARCH.md) without overriding either person's fit.

Reasons mention it: items like something a person rated >= 4 (same strongest
intimacy type and practice, or a shared tag) carry a note such as
"Ben rated Cook a dish from a new country 5".
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
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, StoreError

# The store needs only the standard library, so `closer done`, `history` and
# `forget` start fast; numpy and the model's types load with apply_histories.
if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from .model import Recommender
    from .relevance import PersonVector
    from .schema import PairContext, PersonProfile

    F32 = npt.NDArray[np.float32]
    I32 = npt.NDArray[np.int32]
    Triple = tuple[PersonProfile, PersonProfile, PairContext]

__all__ = [
    "DEFAULT_WINDOW_DAYS",
    "MIGRATIONS",
    "History",
    "HistoryRecord",
    "PairHistory",
    "apply_histories",
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

#: Rocchio weights (Rocchio 1971): keep the profile, move toward liked, away from disliked.
ROCCHIO_ALPHA = 1.0
ROCCHIO_BETA = 0.75
ROCCHIO_GAMMA = 0.15
LIKED_MIN = 4
DISLIKED_MAX = 2
#: Pair-score penalty for an item either person last rated <= DISLIKED_MAX.
DISLIKED_PENALTY = 0.2
#: Largest lean toward the person served less, and over how many records it is judged.
FAIRNESS_LEAN = 0.1
FAIRNESS_RECORDS = 3
#: Liked records that seed reasons ("Ben rated ... 5"): the newest few are enough.
MAX_NOTE_SOURCES = 20
MAX_TITLE_CHARS = 48

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
    (
        "ALTER TABLE records ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0"
        " CHECK (skipped IN (0, 1))",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")  # schema.SLUG_PATTERN; a test keeps them equal
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


_SEPARATORS = re.compile(r"[\s_.-]+")


def _name_key(name: str) -> str:
    """One person's name as a key: case-folded, accents dropped, separators -> '-'."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub("-", plain).strip("-")


def normalize_pair(name: str) -> str:
    """The one key a pair is stored under, whoever spelled it.

    Case-folded, accents dropped (NFKD), spaces, underscores and dots become
    '-', runs of dashes collapse; a key of two names at one '-' is sorted.

    Examples
    --------
    >>> normalize_pair("Ben-Ana"), normalize_pair("josé maría"), normalize_pair("jose-maria")
    ('ana-ben', 'jose-maria', 'jose-maria')
    """
    key = _name_key(name)
    parts = key.split("-")
    return "-".join(sorted(parts)) if len(parts) == 2 else key


def pair_name(a: str, b: str) -> str:
    """The default name of a pair: both names normalised, sorted, joined by '-'.

    Examples
    --------
    >>> pair_name("Ben", "Ana"), pair_name("José María", "Ben")
    ('ana-ben', 'ben-jose-maria')
    """
    return "-".join(sorted(_name_key(n) for n in (a, b)))


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
    """One thing a pair did: which activity, when, and how each person rated it (1-5)."""

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

    def recent_ids(self) -> set[str]:
        """Activity ids done within ``window_days`` of ``today``."""
        start = self.today - dt.timedelta(days=self.window_days)
        return {r.activity_id for r in self.records if r.day > start}


# ---------------------------------------------------------------- argument checks


def _check_pair(pair: Any) -> str:
    if isinstance(pair, str) and not _CONTROL.search(pair):
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
        self._conn: sqlite3.Connection | None = None
        self._conn = self._open()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "open"
        return f"History({str(self.path)!r}, {state})"

    # ------------------------------------------------------------ opening

    def _open(self) -> sqlite3.Connection:
        if self.readonly:
            if not self.path.is_file():
                raise StoreError(f"{self.path}: no history file there (opened read-only)")
        else:
            with self._errors("create the history file"):
                self._create_file()
        with self._errors("open the history"):
            self._check_header()
            if self.readonly:
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                conn = sqlite3.connect(uri, uri=True, timeout=self.timeout, isolation_level=None)
            else:
                conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            with self._errors("open the history"):
                self._prepare(conn)
        except BaseException:
            conn.close()
            raise
        logger.debug("opened a history store (schema version %d)", SCHEMA_VERSION)
        return conn

    def _create_file(self) -> None:
        """Create the file 0600 (and its folder 0700) before SQLite sees it."""
        folder = self.path.parent
        if not folder.exists():
            folder.parent.mkdir(parents=True, exist_ok=True)
            try:
                folder.mkdir(mode=0o700)
            except FileExistsError:
                pass  # another process made it first
            else:
                os.chmod(folder, 0o700)  # mkdir's mode is reduced by the umask
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
        with open(self.path, "rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
        if head and head != SQLITE_MAGIC:
            raise StoreError(
                f"{self.path}: is not a closer history (not an SQLite database); it was left "
                "untouched: move it away or use another history path"
            )

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
        if self.readonly:
            if version < SCHEMA_VERSION:
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

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"{self.path}: the history store is closed")
        return self._conn

    def _check_writable(self, action: str) -> None:
        if self.readonly:
            raise StoreError(f"{self.path}: cannot {action}: the history was opened read-only")

    # ------------------------------------------------------------ API

    def record(
        self,
        pair: str,
        activity_id: str,
        ratings: Mapping[str, int] | None = None,
        *,
        day: dt.date | str | None = None,
        skipped: bool = False,
    ) -> HistoryRecord:
        """Record that ``pair`` did ``activity_id`` on ``day`` (default today).

        ``ratings`` maps each person's name (any case) to 1..5; ``skipped=True``
        records a "not for us" skip instead, which takes no ratings. Raises
        :class:`~recommender.errors.ConfigError` for a bad argument and
        :class:`~recommender.errors.StoreError` when the file cannot be written.
        """
        name = _check_pair(pair)
        activity = _check_activity_id(activity_id)
        scores = _check_ratings(ratings)
        if skipped and scores:
            raise ConfigError("a skipped activity takes no ratings")
        when = _check_day(day)
        conn = self._connection()
        self._check_writable("record an activity")
        with self._errors("record an activity"), self._transaction(conn):
            cursor = conn.execute(
                "INSERT INTO records (pair, activity_id, day, skipped) VALUES (?, ?, ?, ?)",
                (name, activity, when.isoformat(), int(bool(skipped))),
            )
            conn.executemany(
                "INSERT INTO ratings (record_id, person, rating) VALUES (?, ?, ?)",
                [(cursor.lastrowid, person, rating) for person, rating in scores.items()],
            )
        logger.debug("recorded an activity with %d ratings", len(scores))
        return HistoryRecord(activity, when, scores, int(cursor.lastrowid or 0), bool(skipped))

    def records(
        self, pair: str, *, until: dt.date | None = None, limit: int | None = None
    ) -> tuple[HistoryRecord, ...]:
        """A pair's records, newest first (by day, then by when they were recorded).

        ``until`` drops records dated after it; ``limit`` keeps the newest ``limit``.
        """
        name = _check_pair(pair)
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 0
        ):
            raise ConfigError(f"limit must be an integer >= 0 or None, got {limit!r}")
        if until is not None and not isinstance(until, dt.date):
            raise ConfigError(f"until must be a date or None, got {type(until).__name__}")
        last_day = "9999-12-31" if until is None else until.isoformat()
        conn = self._connection()
        with self._errors("read the history"):
            rows = conn.execute(
                "SELECT r.id, r.activity_id, r.day, r.skipped, g.person, g.rating"
                " FROM records AS r LEFT JOIN ratings AS g ON g.record_id = r.id"
                " WHERE r.id IN (SELECT id FROM records WHERE pair = ? AND day <= ?"
                "                ORDER BY day DESC, id DESC LIMIT ?)"
                " ORDER BY r.day DESC, r.id DESC, g.person",
                (name, last_day, -1 if limit is None else limit),
            ).fetchall()
        grouped: dict[int, tuple[str, str, dict[str, int], bool]] = {}
        for record_id, activity, day, skipped, person, rating in rows:
            entry = grouped.setdefault(record_id, (activity, day, {}, bool(skipped)))
            if person is not None:
                entry[2][person] = int(rating)
        try:
            return tuple(
                HistoryRecord(activity, dt.date.fromisoformat(day), scores, record_id, skipped)
                for record_id, (activity, day, scores, skipped) in grouped.items()
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
        return PairHistory(name, records, today, window)

    def forget(self, pair: str) -> int:
        """Delete everything about ``pair``; returns how many records went."""
        name = _check_pair(pair)
        conn = self._connection()
        self._check_writable("forget a pair")
        with self._errors("forget a pair"):
            with self._transaction(conn):
                conn.execute(
                    "DELETE FROM ratings"
                    " WHERE record_id IN (SELECT id FROM records WHERE pair = ?)",
                    (name,),
                )
                removed = conn.execute("DELETE FROM records WHERE pair = ?", (name,)).rowcount
            # Old page images live on in the write-ahead log until a checkpoint; truncate
            # it so forgotten rows do not linger. Best effort: readers may hold it open.
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        if busy:
            logger.debug("history checkpoint after forget was deferred (readers active)")
        logger.debug("forgot a pair: %d records", removed)
        return int(removed)

    def delete(self, record_id: int) -> HistoryRecord:
        """Remove one record by its id (``closer history`` shows it); StoreError if unknown."""
        conn = self._connection()
        self._check_writable("delete a record")
        with self._errors("delete a record"):
            row = conn.execute("SELECT pair FROM records WHERE id = ?", (record_id,)).fetchone()
            found = [r for r in self.records(row[0]) if r.id == record_id] if row else []
            if not found:
                raise StoreError(f"{self.path}: no history record has id {record_id}")
            with self._transaction(conn):
                conn.execute("DELETE FROM ratings WHERE record_id = ?", (record_id,))
                conn.execute("DELETE FROM records WHERE id = ?", (record_id,))
        return found[0]

    def undo(self, pair: str) -> HistoryRecord | None:
        """Remove the pair's most recently recorded record; None when it has none."""
        conn = self._connection()
        with self._errors("read the history"):
            row = conn.execute(
                "SELECT max(id) FROM records WHERE pair = ?", (_check_pair(pair),)
            ).fetchone()
        return None if row[0] is None else self.delete(int(row[0]))

    def pairs(self) -> list[str]:
        """The names of every pair with at least one record, sorted."""
        conn = self._connection()
        with self._errors("read the history"):
            rows = conn.execute("SELECT DISTINCT pair FROM records ORDER BY pair").fetchall()
        return [row[0] for row in rows]

    def close(self) -> None:
        """Close the file; further calls raise StoreError. Closing twice is fine."""
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


# ---------------------------------------------------------------- effect on ranking


@dataclass(frozen=True)
class _Rated:
    """A known catalogue item one person rated, in the order of the pair's records."""

    item: int
    rating: int
    age: int  # 0 for the pair's newest record


def apply_histories(
    model: Recommender,
    triples: Sequence[Triple],
    people: Sequence[PersonVector],
    histories: Sequence[PairHistory],
) -> tuple[list[PersonVector], list[I32], list[dict[int, str]], F32]:
    """Fold each pair's history into its people and scores (no refit).

    Parameters
    ----------
    model : Recommender
        The fitted recommender.
    triples : sequence of (PersonProfile, PersonProfile, PairContext)
        ``P`` pairs.
    people : sequence of PersonVector
        The encoded people, ``2P`` long: every first person, then every second.
    histories : sequence of PairHistory
        One per pair.

    Returns
    -------
    people : list of PersonVector
        Each person moved toward what they rated well (Rocchio).
    recent : list of int32 arrays
        Per pair, the items done within its window (a hard filter).
    notes : list of dict
        Per pair, item -> a short reason naming the person who liked something similar.
    lean : (P, n) float32
        Added to the pair score: bad ratings and fairness across sessions.

    Examples
    --------
    >>> import recommender as rc
    >>> model = rc.Recommender().fit(rc.default_catalog())
    >>> ana, ben = rc.PersonProfile(name="Ana"), rc.PersonProfile(name="Ben")
    >>> done = model.activity_ids_[0]
    >>> snap = PairHistory("ana-ben", (HistoryRecord(done, dt.date(2025, 3, 1), {"ana": 1}),),
    ...                    today=dt.date(2025, 3, 8))
    >>> people, recent, notes, lean = apply_histories(
    ...     model, [(ana, ben, rc.PairContext())], model._people([ana, ben]), [snap])
    >>> recent[0].tolist(), round(float(lean[0, 0]), 2)
    ([0], -0.2)
    """
    import numpy as np

    n_pairs = len(triples)
    if len(people) != 2 * n_pairs or len(histories) != n_pairs:
        raise ConfigError(
            f"apply_histories needs 2 people and 1 history per pair: {n_pairs} pairs, "
            f"got {len(people)} people and {len(histories)} histories"
        )
    n_items = len(model.activity_ids_)
    index = model.index_
    strongest = np.argmax(model.items_.intimacy, axis=1)  # ties: IntimacyType order
    out_people = list(people)
    recent: list[I32] = []
    notes: list[dict[int, str]] = []
    lean = np.zeros((n_pairs, n_items), np.float32)
    lower: list[tuple[int, int, float]] = []  # (pair, side served less, rating gap)
    for row, ((a, b, _), history) in enumerate(zip(triples, histories, strict=True)):
        if not isinstance(history, PairHistory):
            raise ConfigError(
                f"history for pair {row + 1}: expected a PairHistory (History.for_pair), "
                f"got {type(history).__name__}"
            )
        records = sorted(history.records, key=lambda r: r.day, reverse=True)
        ids = history.recent_ids()
        recent.append(np.array(sorted(index[i] for i in ids if i in index), np.int32))
        names = (a.name.strip().lower(), b.name.strip().lower())
        rated = [
            [
                _Rated(index[r.activity_id], r.ratings[name], age)
                for age, r in enumerate(records)
                if r.activity_id in index and name in r.ratings
            ]
            for name in names
        ]
        for side in (0, 1):
            slot = side * n_pairs + row
            out_people[slot] = _rocchio(model, people[slot], rated[side])
        lean[row, _disliked(rated)] -= np.float32(DISLIKED_PENALTY)
        gap = _rating_gap(records[:FAIRNESS_RECORDS], names)
        if gap is not None:
            lower.append((row, *gap))
        notes.append(_notes(model, (a, b), rated, strongest))
    if lower:
        rows = np.array([r for r, _, _ in lower])
        low = np.array([s for _, s, _ in lower])
        gaps = np.array([g for _, _, g in lower], np.float32)
        chosen = [out_people[s * n_pairs + r] for r, s in zip(rows, low, strict=True)]
        others = [out_people[(1 - s) * n_pairs + r] for r, s in zip(rows, low, strict=True)]
        fit = model._relevance(chosen + others).reshape(2, len(lower), n_items)
        lean[rows] += (FAIRNESS_LEAN * gaps / 4.0)[:, None] * (fit[0] - fit[1])
    logger.debug("applied %d pair histories", n_pairs)
    return out_people, recent, notes, lean


def _rocchio(model: Recommender, person: PersonVector, rated: Sequence[_Rated]) -> PersonVector:
    """q' = alpha q + beta mean(liked) - gamma mean(disliked), on weights and interests."""
    import numpy as np

    from .relevance import PersonVector

    liked = [r.item for r in rated if r.rating >= LIKED_MIN]
    disliked = [r.item for r in rated if r.rating <= DISLIKED_MAX]
    if not liked and not disliked:
        return person
    intimacy = model.items_.intimacy
    weights = ROCCHIO_ALPHA * person.weights.astype(np.float64)
    term_parts: list[I32] = [person.terms]
    weight_parts: list[npt.NDArray[np.float64]] = [
        ROCCHIO_ALPHA * person.term_weights.astype(np.float64)
    ]
    for items, factor in ((liked, ROCCHIO_BETA), (disliked, -ROCCHIO_GAMMA)):
        if not items:
            continue
        weights = weights + factor * intimacy[items].mean(axis=0)
        for item in items:
            row_terms, row_weights = model._item_vector(item)
            term_parts.append(row_terms)
            weight_parts.append(row_weights.astype(np.float64) * (factor / len(items)))
    all_terms = np.concatenate(term_parts)
    uniq, where = np.unique(all_terms, return_inverse=True)
    summed = np.bincount(where, weights=np.concatenate(weight_parts), minlength=len(uniq)).astype(
        np.float64
    )
    keep = summed > 1e-9  # Rocchio's negative part may cancel a term: drop it, never negative
    terms, summed = uniq[keep], summed[keep]
    norm = float(np.linalg.norm(summed))
    if norm > 0:
        summed = summed / norm
    return PersonVector(
        weights=_keep_level(weights, person.weights),
        terms=terms.astype(np.int32),
        term_weights=summed.astype(np.float32),
        energy=person.energy,
    )


def _keep_level(moved: npt.NDArray[np.float64], before: F32) -> F32:
    """Rescale moved weights to the person's former L2 norm, then clip to 0..1.

    Rocchio assumes cosine scoring, where a query's length does not matter; the
    type fit here is a dot product, so the raw sum would raise every activity's
    fit after any good rating (a few liked records push every weight to 1 and
    the types stop telling activities apart). Keeping the length makes the
    update what Rocchio means: a turn toward what the person liked.
    """
    import numpy as np

    moved = np.clip(moved, 0.0, None)
    size = float(np.linalg.norm(moved))
    if size > 0:
        moved = moved * (float(np.linalg.norm(before.astype(np.float64))) / size)
    return np.clip(moved, 0.0, 1.0).astype(np.float32)


def _disliked(rated: Sequence[Sequence[_Rated]]) -> I32:
    """Items either person last rated <= DISLIKED_MAX (a later good rating lifts it)."""
    import numpy as np

    bad: set[int] = set()
    for person in rated:
        latest: dict[int, int] = {}
        for r in person:  # newest first: keep the first rating seen per item
            latest.setdefault(r.item, r.rating)
        bad.update(item for item, rating in latest.items() if rating <= DISLIKED_MAX)
    return np.array(sorted(bad), np.int32)


def _rating_gap(
    records: Sequence[HistoryRecord], names: tuple[str, str]
) -> tuple[int, float] | None:
    """(side rated lower, gap) over ``records``, or None when even or unknown."""
    means = []
    for name in names:
        scores = [r.ratings[name] for r in records if name in r.ratings]
        if not scores:
            return None
        means.append(sum(scores) / len(scores))
    if means[0] == means[1]:
        return None
    side = 0 if means[0] < means[1] else 1
    return side, abs(means[0] - means[1])


def _short_title(title: str) -> str:
    if len(title) <= MAX_TITLE_CHARS:
        return title
    cut = title[:MAX_TITLE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def _notes(
    model: Recommender,
    profiles: tuple[PersonProfile, PersonProfile],
    rated: Sequence[Sequence[_Rated]],
    strongest: npt.NDArray[np.intp],
) -> dict[int, str]:
    """Item -> "Ben rated <title> 5" for items like something a person rated well."""
    import numpy as np

    items = model.items_
    liked: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (age, item) -> [(side, rating)]
    for side, person in enumerate(rated):
        for r in person:
            if r.rating >= LIKED_MIN:
                liked.setdefault((r.age, r.item), []).append((side, r.rating))
    if not liked:
        return {}
    # Weakest first, so the best (highest rated, then newest) source is written last.
    sources = sorted(liked.items(), key=lambda kv: (max(s[1] for s in kv[1]), -kv[0][0]))
    sources = sources[-MAX_NOTE_SOURCES:]
    source_of = np.full(len(items), -1, np.int32)
    texts: list[str] = []
    same_texts: list[str] = []
    for number, ((_, item), who) in enumerate(sources):
        similar = (strongest == strongest[item]) & (items.practice == items.practice[item])
        for tag in model.activities_[item].tags:
            similar[items.items_tagged(tag)] = True
        source_of[similar] = number
        names = " and ".join(profiles[side].name for side, _ in who)
        scores = " and ".join(str(rating) for _, rating in who)
        title = _short_title(model.activities_[item].title)
        texts.append(f"{names} rated {title} {scores}")
        same_texts.append(f"{names} rated it {scores} last time")
    # The liked items themselves (back after the window) get their own wording.
    same = {item: number for number, ((_, item), _) in enumerate(sources)}
    return {
        int(i): same_texts[same[i]] if same.get(i) == source_of[i] else texts[source_of[i]]
        for i in np.flatnonzero(source_of >= 0).tolist()
    }
