"""A plan as a file people keep: an iCalendar file (one event a week) or Markdown.

The ``.ics`` file is written with the ``icalendar`` library (RFC 5545 folding,
escaping and UIDs are easy to get subtly wrong by hand); every event is an
all-day event on the plan week's first day.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._io import atomic_write_text
from .errors import ConfigError
from .profiles import PRIVATE_MODE

__all__ = ["EXPORT_FORMATS", "export_plan", "plan_calendar", "plan_markdown", "week_start"]

EXPORT_FORMATS = (".ics", ".md")


def week_start(start: dt.date, week: int) -> dt.date:
    """The first day of plan week ``week`` (1-based) when the plan starts on ``start``.

    Examples
    --------
    >>> week_start(dt.date(2026, 1, 5), 3)
    datetime.date(2026, 1, 19)
    """
    return start + dt.timedelta(weeks=week - 1)


def plan_calendar(weeks: Sequence[Any], start: dt.date, names: tuple[str, str]) -> bytes:
    """The plan as iCalendar bytes: one all-day event per week, prompts in the notes.

    Examples
    --------
    >>> import icalendar
    >>> cal = icalendar.Calendar.from_ical(plan_calendar([], dt.date(2026, 1, 5), ("A", "B")))
    >>> str(cal["PRODID"])
    '-//closer//plan//EN'
    """
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//closer//plan//EN")
    cal.add("version", "2.0")
    for w in weeks:
        activity = w.activity.activity
        day = week_start(start, w.week)
        event = icalendar.Event()
        event.add("uid", f"closer-{start.isoformat()}-week-{w.week}-{activity.id}@closer")
        event.add("dtstamp", dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc))
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("summary", f"Week {w.week}: {activity.title}")
        talk = "\n".join(f"- {p.prompt}" for p in w.conversation)
        notes = f"{names[0]} and {names[1]}: {activity.description}"
        event.add("description", notes + (f"\n\nTalk:\n{talk}" if talk else ""))
        cal.add_component(event)
    return bytes(cal.to_ical())


def plan_markdown(weeks: Sequence[Any], start: dt.date | None, names: tuple[str, str]) -> str:
    """The plan as Markdown: a heading per week, the activity, its steps, the talk.

    Examples
    --------
    >>> plan_markdown([], None, ("Ana", "Ben")).splitlines()[0]
    '# A plan for Ana and Ben'
    """
    lines = [f"# A plan for {names[0]} and {names[1]}", ""]
    for w in weeks:
        activity = w.activity.activity
        when = f" (from {week_start(start, w.week).isoformat()})" if start else ""
        lines += [f"## Week {w.week}{when}: {activity.title}", "", activity.description, ""]
        lines += [f"{i}. {step}" for i, step in enumerate(activity.steps, start=1)]
        if w.conversation:
            lines += ["", "Talk:", ""] + [f"- {p.prompt}" for p in w.conversation]
        lines.append("")
    return "\n".join(lines)


def export_plan(
    weeks: Sequence[Any],
    path: str | os.PathLike[str],
    start: dt.date | None,
    names: tuple[str, str],
) -> Path:
    """Write the plan to ``path`` (``.ics`` or ``.md``), readable by its owner only.

    A calendar needs dates, so ``.ics`` starts on ``start`` or, without one, today.

    Raises
    ------
    ConfigError
        The file name ends in neither ``.ics`` nor ``.md``.

    Examples
    --------
    >>> import tempfile
    >>> path = export_plan([], Path(tempfile.mkdtemp()) / "plan.md", None, ("Ana", "Ben"))
    >>> path.read_text().startswith("# A plan for Ana and Ben"), oct(path.stat().st_mode & 0o777)
    (True, '0o600')
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ConfigError(f"{target}: export must end in .ics or .md, got {target.suffix!r}")
    if suffix == ".ics":
        data = plan_calendar(weeks, start or dt.date.today(), names).decode("utf-8")
    else:
        data = plan_markdown(weeks, start, names)
    atomic_write_text(target, data, mode=PRIVATE_MODE)
    return target
