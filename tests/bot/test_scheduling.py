"""ctx.scheduler through the runtime: jobs per plugin, pause/resume/remove, restarts, firing."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time

import pytest

from botkit.bot import Runtime
from botkit.bot.scheduling import ScheduledJob
from botkit.errors import PluginError
from botkit.testing import FakeClient, FakeClock, MemoryKeyValueStore
from botkit.types import Connected
from botkit.types.jid import JID

from .conftest import MakeBot

GROUP = "120363000000000001@g.us"

TICKER = """
import asyncio
import datetime as dt
from botkit import hookimpl

runs = []
fired = asyncio.Event()

async def tick(ctx):
    runs.append(ctx.plugin)
    await ctx.send("120363000000000001@g.us").text(f"tick from {ctx.plugin}").send()
    fired.set()

errors = []

async def broken(ctx):
    raise RuntimeError("job bug")

@hookimpl
def botkit_plugin_error(hook, event, error):
    errors.append((hook, event, str(error)))

@hookimpl
async def botkit_startup(ctx):
    await ctx.scheduler.every("tick", dt.timedelta(minutes=30), tick)
    await ctx.scheduler.cron("daily", "0 9 * * *", tick, timezone="Europe/Berlin")
    await ctx.scheduler.cron("broken", "0 0 1 1 *", broken)
"""


def utc(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


def plugin_module(bot: Runtime, name: str) -> object:
    return bot.manager.plugins[name].plugin


async def started(make_bot: MakeBot, **plugins: str) -> Runtime:
    bot = make_bot(plugins=plugins)
    await bot.start()
    return bot


async def restart(
    bot: Runtime, make_bot: MakeBot, clock: FakeClock, at: float, source: str = TICKER
) -> tuple[Runtime, ScheduledJob]:
    """Stop ``bot``, move the clock to ``at``, start a new one; return it and its job "tick"."""
    await bot.stop()
    clock.now = at
    again = await started(make_bot, ticker=source)
    job = again.context("ticker").scheduler.get("tick")
    assert job is not None
    return again, job


async def test_jobs_are_listed_with_their_next_run(make_bot: MakeBot, clock: FakeClock) -> None:
    bot = await started(make_bot, ticker=TICKER)
    jobs = {job.id: job for job in bot.context("ticker").scheduler.jobs()}
    assert sorted(jobs) == ["broken", "daily", "tick"]
    assert jobs["tick"].next_run == utc(clock.now + 1800)
    daily = jobs["daily"].next_run
    assert daily is not None and daily > utc(clock.now)
    assert daily.astimezone(dt.timezone(dt.timedelta(hours=1))).strftime("%H:%M") == "09:00"
    assert jobs["tick"].last_run is None and not jobs["tick"].paused
    await bot.stop()


async def test_run_calls_the_job_with_the_plugins_context(
    make_bot: MakeBot, client: FakeClient, clock: FakeClock
) -> None:
    bot = await started(make_bot, ticker=TICKER)
    await bot.context("ticker").scheduler.run("tick")
    assert client.texts(GROUP) == ["tick from ticker"]
    job = bot.context("ticker").scheduler.get("tick")
    assert job is not None and job.last_run == utc(clock.now)
    await bot.stop()


async def test_job_ids_are_per_plugin(make_bot: MakeBot, client: FakeClient) -> None:
    bot = await started(make_bot, ticker=TICKER, other=TICKER)
    await bot.context("ticker").scheduler.remove("tick")
    assert bot.context("ticker").scheduler.get("tick") is None
    assert bot.context("other").scheduler.get("tick") is not None
    await bot.context("other").scheduler.run("tick")
    assert client.texts() == ["tick from other"]
    await bot.stop()


async def test_a_failing_job_is_logged_and_keeps_its_schedule(
    make_bot: MakeBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await started(make_bot, ticker=TICKER)
    with caplog.at_level(logging.ERROR):
        await bot.context("ticker").scheduler.run("broken")
    assert "plugin 'ticker' raised in scheduled job broken: RuntimeError('job bug')" in caplog.text
    assert plugin_module(bot, "ticker").errors == [("scheduled job broken", None, "job bug")]  # type: ignore[attr-defined]
    assert bot.context("ticker").scheduler.get("broken") is not None
    await bot.stop()


async def test_unknown_jobs_and_bad_ids_are_plugin_errors(make_bot: MakeBot) -> None:
    bot = await started(make_bot, ticker=TICKER)
    scheduler = bot.context("ticker").scheduler
    tick = plugin_module(bot, "ticker").tick  # type: ignore[attr-defined]
    with pytest.raises(PluginError, match="plugin 'ticker' has no scheduled job 'nope'"):
        await scheduler.pause("nope")
    with pytest.raises(PluginError, match="job id 'a b'"):
        await scheduler.every("a b", dt.timedelta(minutes=1), tick)
    with pytest.raises(PluginError, match="ticker:bad: expected a cron expression"):
        await scheduler.cron("bad", "0 25 * * *", tick)
    await bot.stop()


async def test_pause_survives_a_restart_and_resume_continues_in_phase(
    make_bot: MakeBot, clock: FakeClock
) -> None:
    start = clock.now
    bot = await started(make_bot, ticker=TICKER)
    paused = await bot.context("ticker").scheduler.pause("tick")
    assert paused.paused and paused.next_run is None
    again, job = await restart(bot, make_bot, clock, start + 4000)
    assert job.paused and job.next_run is None
    resumed = await again.context("ticker").scheduler.resume("tick")
    assert resumed.next_run == utc(start + 3 * 1800)  # the phase of the first start
    await again.stop()


async def test_a_restart_within_grace_catches_up_once(make_bot: MakeBot, clock: FakeClock) -> None:
    start = clock.now
    bot = await started(make_bot, ticker=TICKER)
    # three runs missed, the last one a minute ago
    again, job = await restart(bot, make_bot, clock, start + 3 * 1800 + 60)
    assert job.next_run == utc(start + 3 * 1800)  # one run, due now
    await again.stop()


async def test_a_restart_after_grace_skips_to_the_next_run(
    make_bot: MakeBot, clock: FakeClock
) -> None:
    start = clock.now
    bot = await started(make_bot, ticker=TICKER)
    await bot.context("ticker").scheduler.run("tick")
    # the run at +30 min is 10 min late (grace: 5 min)
    again, job = await restart(bot, make_bot, clock, start + 1800 + 600)
    assert job.next_run == utc(start + 2 * 1800)
    assert job.last_run == utc(start)
    await again.stop()


async def test_a_changed_definition_starts_afresh(make_bot: MakeBot, clock: FakeClock) -> None:
    bot = await started(make_bot, ticker=TICKER)
    changed = TICKER.replace("minutes=30", "minutes=45")
    again, job = await restart(bot, make_bot, clock, clock.now + 7200, changed)
    assert job.next_run == utc(clock.now + 2700)
    await again.stop()


async def test_a_one_off_that_ran_does_not_run_again(make_bot: MakeBot, clock: FakeClock) -> None:
    once = """
import datetime as dt
from botkit import hookimpl

async def hello(ctx):
    await ctx.send("120363000000000001@g.us").text("once").send()

@hookimpl
async def botkit_startup(ctx):
    when = dt.datetime(2027, 1, 15, 9, 0, tzinfo=dt.UTC)
    await ctx.scheduler.at("hello", when, hello)
"""
    clock.now = dt.datetime(2027, 1, 15, 8, 0, tzinfo=dt.UTC).timestamp()
    bot = await started(make_bot, once=once)
    await bot.context("once").scheduler.run("hello")
    await bot.stop()
    clock.now += 7200
    again = await started(make_bot, once=once)
    job = again.context("once").scheduler.get("hello")
    assert job is not None and job.finished
    await again.stop()


async def test_the_scheduler_fires_due_jobs_once_connected(
    client: FakeClient, clock: FakeClock, kv: MemoryKeyValueStore, make_bot: MakeBot
) -> None:
    """Real APScheduler timing: a missed run, due at once, fires after the client connects."""
    clock.now = time.time() - 1800 - 30
    bot = await started(make_bot, ticker=TICKER)
    await bot.stop()
    clock.now = time.time()
    again = await started(make_bot, ticker=TICKER)
    await again.handle(Connected(JID.parse("15550000000:1@s.whatsapp.net")))
    fired = plugin_module(again, "ticker").fired  # type: ignore[attr-defined]
    async with asyncio.timeout(5):
        await fired.wait()
    await again.stop()
    assert client.texts(GROUP) == ["tick from ticker"]
