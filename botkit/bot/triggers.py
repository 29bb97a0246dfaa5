"""When a scheduled job runs: cron, fixed-interval and one-off triggers, and the restart plan.

A trigger is a plain value (:class:`Cron`, :class:`Every`, :class:`At`) that plugins and config
models build; :func:`aps_trigger` turns it into an APScheduler 3.x trigger. Cron expressions use
standard crontab weekdays (0 or 7 = Sunday, 1 = Monday, names ``mon``...``sun``); APScheduler 3.x
counts 0 as Monday, so :func:`parse_cron` rewrites the weekday field as names. When both the day
of month and the weekday are restricted, a time must match both (APScheduler's rule, not cron's
"either").

Daylight saving time: a time that does not exist (clocks go forward) runs once, right after the
gap. When clocks go back, an expression with a fixed hour runs once at a repeated wall-clock time
(crontab's rule), while one with ``*`` in the hour field runs every real hour.

:func:`plan_start` is the missed-run policy applied when a job is (re)added, e.g. after a restart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from botkit.bot.arguments import format_duration

__all__ = [
    "At",
    "Cron",
    "Every",
    "StartPlan",
    "Trigger",
    "aps_trigger",
    "describe_trigger",
    "next_after",
    "parse_cron",
    "parse_zone",
    "plan_start",
]

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_CRON_FIELDS = ("minute", "hour", "day", "month", "day_of_week")
_EPSILON = dt.timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Cron:
    """Run at the times of a 5-field crontab ``expression``, in ``timezone`` (None: default)."""

    expression: str
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class Every:
    """Run every ``interval``; the first run is one interval after the job was first added."""

    interval: dt.timedelta


@dataclass(frozen=True, slots=True)
class At:
    """Run once at ``when`` (a naive time is read in ``timezone``, None: the default zone)."""

    when: dt.datetime
    timezone: str | None = None


Trigger = Cron | Every | At


def parse_zone(name: str) -> ZoneInfo:
    """Return the IANA time zone ``name``. Raises ValueError saying what was expected."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"expected an IANA time zone like Europe/Berlin, got {name!r}") from None


def parse_cron(expression: str) -> str:
    """Return ``expression`` normalised (single spaces) after checking it is a valid crontab line.

    Raises ValueError saying which field is wrong and what a cron expression looks like.
    """
    fields = expression.split()
    if len(fields) != len(_CRON_FIELDS):
        raise ValueError(
            f"expected a cron expression of 5 fields (minute hour day month weekday) like "
            f"'0 9 * * mon', got {expression!r} ({len(fields)} fields)"
        )
    _cron_trigger(fields, dt.UTC)
    return " ".join(fields)


def aps_trigger(trigger: Trigger, zone: ZoneInfo, anchor: dt.datetime) -> BaseTrigger:
    """Return the APScheduler trigger of ``trigger``.

    ``zone`` applies when the trigger names none; ``anchor`` is when the job was first added (an
    interval runs at ``anchor + k * interval``, so its phase survives restarts).
    Raises ValueError for an invalid cron expression or zone.
    """
    if isinstance(trigger, Cron):
        own = parse_zone(trigger.timezone) if trigger.timezone else zone
        return _cron_trigger(trigger.expression.split(), own)
    if isinstance(trigger, Every):
        seconds = trigger.interval.total_seconds()
        if seconds <= 0:
            raise ValueError(f"expected a positive interval, got {trigger.interval}")
        return IntervalTrigger(seconds=seconds, start_date=anchor + trigger.interval, timezone=zone)
    own = parse_zone(trigger.timezone) if trigger.timezone else zone
    when = trigger.when if trigger.when.tzinfo else trigger.when.replace(tzinfo=own)
    return DateTrigger(run_date=when, timezone=own)


def describe_trigger(trigger: Trigger) -> str:
    """Return the trigger in words for listings: ``cron 0 9 * * mon``, ``every 30m``, ``at ...``."""
    if isinstance(trigger, Cron):
        zone = f" ({trigger.timezone})" if trigger.timezone else ""
        return f"cron {trigger.expression}{zone}"
    if isinstance(trigger, Every):
        return f"every {format_duration(trigger.interval)}"
    zone = f" ({trigger.timezone})" if trigger.timezone and not trigger.when.tzinfo else ""
    return f"at {trigger.when.isoformat(timespec='minutes')}{zone}"


@dataclass(frozen=True, slots=True)
class StartPlan:
    """When a (re)added job runs next; ``catch_up`` means that run is a missed one, due now."""

    next_run: dt.datetime | None
    catch_up: bool


def plan_start(
    trigger: BaseTrigger, reference: dt.datetime, now: dt.datetime, grace: dt.timedelta
) -> StartPlan:
    """Return when a job whose last run (or creation) was ``reference`` runs next, at ``now``.

    The missed-run policy: runs due after ``reference`` but before ``now`` are coalesced into one
    run, due at once, if the latest of them is at most ``grace`` old; older ones are skipped and
    the job continues at its next regular time. ``next_run`` is ``None`` when the trigger has no
    time left (a one-off that already ran or was missed).
    """
    earliest = max(now - grace, reference + _EPSILON)
    missed = _latest_fire_time(trigger, earliest, now)
    if missed is not None:
        return StartPlan(missed, True)
    return StartPlan(next_after(trigger, now, reference), False)


def next_after(
    trigger: BaseTrigger, now: dt.datetime, previous: dt.datetime | None = None
) -> dt.datetime | None:
    """Return the first fire time of ``trigger`` strictly after ``now``, or ``None``.

    ``previous`` is the job's last run (if known): a fixed time that ran in the hour repeated
    when clocks go back is not due again when the hour repeats.
    """
    upcoming: dt.datetime | None = trigger.get_next_fire_time(None, _just_after(now))
    if (
        previous is not None
        and upcoming is not None
        and isinstance(trigger, _OncePerWallTime)
        and trigger.same_wall_time(upcoming, previous)
    ):
        upcoming = trigger.get_next_fire_time(upcoming, upcoming)  # as if it had fired
    return upcoming if upcoming is not None and upcoming > now else None


def _latest_fire_time(
    trigger: BaseTrigger, earliest: dt.datetime, now: dt.datetime
) -> dt.datetime | None:
    """Return the last fire time in [earliest, now], or ``None``."""
    found = None
    candidate: dt.datetime | None = trigger.get_next_fire_time(None, earliest)
    while candidate is not None and earliest <= candidate <= now:
        found = candidate
        following = trigger.get_next_fire_time(candidate, _just_after(candidate))
        if following is None or following.astimezone(dt.UTC) <= candidate.astimezone(dt.UTC):
            break
        candidate = following
    return found


class _OncePerWallTime(CronTrigger):  # type: ignore[misc]
    """A cron trigger that never fires twice at one local wall-clock time (the hour repeated when
    clocks go back), for expressions with fixed hours."""

    def get_next_fire_time(
        self, previous_fire_time: dt.datetime | None, now: dt.datetime
    ) -> dt.datetime | None:
        upcoming: dt.datetime | None = super().get_next_fire_time(previous_fire_time, now)
        if (
            upcoming is not None
            and previous_fire_time is not None
            and self.same_wall_time(upcoming, previous_fire_time)
        ):
            upcoming = super().get_next_fire_time(upcoming, upcoming)  # as if it had fired
        return upcoming

    def same_wall_time(self, one: dt.datetime, other: dt.datetime) -> bool:
        """Return whether ``one`` and ``other`` read the same on a local clock (naive local
        times compare without ``fold``)."""
        local = self.timezone
        return one.astimezone(local).replace(tzinfo=None) == other.astimezone(local).replace(
            tzinfo=None
        )


def _just_after(time: dt.datetime) -> dt.datetime:
    """Return ``time`` plus a microsecond, in UTC: local arithmetic would lose ``fold`` and step
    back into the first of the two hours that repeat when clocks go back."""
    return time.astimezone(dt.UTC) + _EPSILON


def _cron_trigger(fields: list[str], zone: dt.tzinfo) -> CronTrigger:
    values = dict(zip(_CRON_FIELDS, fields, strict=True))
    values["day_of_week"] = _weekdays(values["day_of_week"])
    kind = CronTrigger if "*" in values["hour"] else _OncePerWallTime
    try:
        return kind(timezone=zone, **values)
    except ValueError as error:
        raise ValueError(
            f"expected a cron expression like '0 9 * * mon', got {' '.join(fields)!r}: {error}"
        ) from None


def _weekdays(field: str) -> str:
    """Rewrite a crontab weekday field (0/7 = Sunday) as APScheduler weekday names."""
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.lower().split(","):
        span, _, step_text = part.partition("/")
        step = _number(step_text, "weekday step") if step_text else 1
        if step <= 0:
            raise ValueError(f"expected a positive weekday step, got {part!r}")
        if span == "*":
            low, high = 0, 6
        elif "-" in span:
            first, _, last = span.partition("-")
            low, high = _day(first), _day(last)
            if high < low:
                raise ValueError(f"expected a weekday range from low to high, got {part!r}")
        else:
            low = _day(span)
            high = 6 if step_text else low
        days.update(day % 7 for day in range(low, high + 1, step))
    return ",".join(_DAY_NAMES[day] for day in sorted(days))


def _day(token: str) -> int:
    if token in _DAY_NAMES:
        return _DAY_NAMES.index(token)
    day = _number(token, "weekday")
    if not 0 <= day <= 7:
        raise ValueError(f"expected a weekday 0-7 or mon-sun, got {token!r}")
    return day


def _number(token: str, what: str) -> int:
    if not token.isdigit():
        raise ValueError(f"expected a {what} (a number or mon-sun), got {token!r}")
    return int(token)
