"""Triggers: crontab weekdays as cron means them, readable errors, and the missed-run plan."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from botkit.bot.triggers import At, Cron, Every, aps_trigger, parse_cron, parse_zone, plan_start

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")
SUNDAY_NOON = dt.datetime(2026, 11, 29, 12, 0, tzinfo=BERLIN)  # a Sunday
GRACE = dt.timedelta(minutes=10)


def fire_times(expression: str, start: dt.datetime, count: int) -> list[dt.datetime]:
    trigger = aps_trigger(Cron(expression), BERLIN, start)
    times = [trigger.get_next_fire_time(None, start)]
    while len(times) < count:
        times.append(trigger.get_next_fire_time(times[-1], times[-1]))
    return times


def test_weekday_one_is_monday_as_in_crontab() -> None:
    [first] = fire_times("0 9 * * 1", SUNDAY_NOON, 1)
    assert first == dt.datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN)
    assert first.strftime("%a") == "Mon"


@pytest.mark.parametrize("field", ["0", "7", "sun"])
def test_sunday_is_zero_seven_or_sun(field: str) -> None:
    [first] = fire_times(f"0 9 * * {field}", SUNDAY_NOON, 1)
    assert first.strftime("%a %H:%M") == "Sun 09:00"
    assert first.date() == dt.date(2026, 12, 6)


@given(st.sets(st.integers(0, 7), min_size=1))
def test_weekday_lists_fire_on_exactly_those_days(days: set[int]) -> None:
    field = ",".join(str(day) for day in sorted(days))
    times = fire_times(f"0 12 * * {field}", SUNDAY_NOON, 14)
    assert {time.isoweekday() % 7 for time in times} == {day % 7 for day in days}


def test_weekday_steps_and_ranges_follow_crontab() -> None:
    steps = fire_times("0 12 * * */2", SUNDAY_NOON, 4)
    assert [t.strftime("%a") for t in steps] == ["Sun", "Tue", "Thu", "Sat"]
    work = fire_times("30 8 * * mon-fri", SUNDAY_NOON, 5)
    assert [t.strftime("%a") for t in work] == ["Mon", "Tue", "Wed", "Thu", "Fri"]


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("0 9 * *", "5 fields (minute hour day month weekday)"),
        ("61 9 * * *", "expected a cron expression like '0 9 * * mon', got '61 9 * * *'"),
        ("0 9 * * funday", "expected a weekday (a number or mon-sun), got 'funday'"),
        ("0 9 * * 9", "expected a weekday 0-7 or mon-sun, got '9'"),
        ("0 9 * * fri-mon", "from low to high"),
    ],
)
def test_bad_cron_expressions_say_what_was_expected(expression: str, says: str) -> None:
    with pytest.raises(ValueError, match="expected") as error:
        parse_cron(expression)
    assert says in str(error.value)


def test_parse_cron_normalises_spaces() -> None:
    assert parse_cron(" 0  9 * *  mon ") == "0 9 * * mon"


def test_bad_zone_is_named() -> None:
    with pytest.raises(ValueError, match="IANA time zone like Europe/Berlin, got 'Mars/Base'"):
        parse_zone("Mars/Base")


def test_a_cron_trigger_honours_its_own_zone() -> None:
    trigger = aps_trigger(Cron("0 9 * * *", "America/New_York"), BERLIN, SUNDAY_NOON)
    nxt = trigger.get_next_fire_time(None, SUNDAY_NOON)  # 06:00 in New York
    assert nxt == dt.datetime(2026, 11, 29, 15, 0, tzinfo=BERLIN)


def test_a_naive_one_off_is_read_in_its_zone() -> None:
    trigger = aps_trigger(At(dt.datetime(2026, 12, 24, 18, 0)), BERLIN, SUNDAY_NOON)
    assert trigger.get_next_fire_time(None, SUNDAY_NOON) == dt.datetime(
        2026, 12, 24, 17, 0, tzinfo=UTC
    )


# -- the missed-run plan ------------------------------------------------------------------------


def test_nothing_missed_means_the_next_regular_time() -> None:
    hourly = aps_trigger(Cron("0 * * * *"), BERLIN, SUNDAY_NOON)
    now = SUNDAY_NOON + dt.timedelta(minutes=20)
    plan = plan_start(hourly, SUNDAY_NOON, now, GRACE)
    assert (plan.next_run, plan.catch_up) == (SUNDAY_NOON + dt.timedelta(hours=1), False)


def test_missed_runs_within_grace_coalesce_into_one_due_now() -> None:
    every_minute = aps_trigger(Cron("* * * * *"), BERLIN, SUNDAY_NOON)
    now = SUNDAY_NOON + dt.timedelta(minutes=30, seconds=5)
    plan = plan_start(every_minute, SUNDAY_NOON, now, GRACE)
    assert plan.catch_up
    assert plan.next_run == SUNDAY_NOON + dt.timedelta(minutes=30)  # only the latest one


def test_a_run_missed_by_more_than_grace_is_skipped() -> None:
    hourly = aps_trigger(Cron("0 * * * *"), BERLIN, SUNDAY_NOON)
    now = SUNDAY_NOON + dt.timedelta(hours=1, minutes=11)
    plan = plan_start(hourly, SUNDAY_NOON, now, GRACE)
    assert (plan.next_run, plan.catch_up) == (SUNDAY_NOON + dt.timedelta(hours=2), False)


def test_an_interval_keeps_its_phase_from_the_anchor() -> None:
    anchor = SUNDAY_NOON
    every = aps_trigger(Every(dt.timedelta(minutes=30)), BERLIN, anchor)
    now = anchor + dt.timedelta(hours=5, minutes=50)
    plan = plan_start(every, now - dt.timedelta(minutes=20), now, GRACE)
    assert (plan.next_run, plan.catch_up) == (anchor + dt.timedelta(hours=6), False)


def test_a_one_off_runs_late_within_grace_and_never_twice() -> None:
    when = SUNDAY_NOON + dt.timedelta(hours=1)
    once = aps_trigger(At(when), BERLIN, SUNDAY_NOON)
    late = when + dt.timedelta(minutes=3)
    assert plan_start(once, SUNDAY_NOON, late, GRACE).catch_up
    ran = plan_start(once, when, late, GRACE)
    assert (ran.next_run, ran.catch_up) == (None, False)
    too_late = plan_start(once, SUNDAY_NOON, when + dt.timedelta(hours=1), GRACE)
    assert (too_late.next_run, too_late.catch_up) == (None, False)
