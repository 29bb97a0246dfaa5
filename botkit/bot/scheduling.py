"""``ctx.scheduler``: plugin-scoped jobs on the runtime's one APScheduler ``AsyncIOScheduler``.

A plugin adds jobs, usually in ``botkit_startup``, and they call one of its coroutines with a fresh
Context of the plugin::

    async def digest(ctx: Context) -> None:
        await ctx.send(GROUP).text("Daily digest").send()

    @hookimpl
    async def botkit_startup(ctx: Context) -> None:
        await ctx.scheduler.cron("digest", "0 18 * * mon-fri", digest)

Job ids are the plugin's own (stored as ``<plugin>:<id>``); adding an id again replaces the job.

What is remembered, in the account's store (namespace ``scheduler:<plugin>``): when each job was
first added (an interval keeps its phase), when it last ran, and whether it is paused. Functions
cannot be stored, so a plugin adds its jobs again at every start; the stored state then applies:

* **Missed runs** (the bot was down or disconnected): runs that fell due since the job last ran are
  coalesced into one, run as soon as the bot is connected, if the latest of them is at most the
  job's grace time old (default :data:`DEFAULT_GRACE`); older ones are skipped and the job goes on
  at its next regular time. A one-off job that ran (or was missed) does not run again.
* **Pause** survives restarts; a resumed job continues at its next regular time.
* Jobs fire only while the client is connected (the runtime pauses the scheduler on disconnect).
* A job still running when it falls due again is not started twice. A job that raises is reported
  like a failing hook (logged with the plugin's name, then ``botkit_plugin_error`` with hook
  ``"scheduled job <id>"``) and keeps its schedule.

The wall clock is injected (the runtime's ``wall_clock``): it decides next runs, catch-ups and the
recorded last-run times, so tests drive jobs with ``ctx.scheduler.run(id)`` and inspect
:attr:`ScheduledJob.next_run` without waiting. APScheduler's own timer runs on real time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger

from botkit.bot.triggers import (
    Cron,
    Every,
    Trigger,
    aps_trigger,
    next_after,
    parse_zone,
    plan_start,
)
from botkit.errors import PluginError
from botkit.store.base import KeyValueStore

if TYPE_CHECKING:
    from botkit.bot.context import Context

__all__ = [
    "DEFAULT_GRACE",
    "ErrorReporter",
    "JobFunc",
    "ScheduledJob",
    "Scheduling",
]

log = logging.getLogger(__name__)

DEFAULT_GRACE = dt.timedelta(minutes=5)
"""How late a missed run may still happen (see the module docstring)."""

JobFunc = Callable[["Context"], Awaitable[None]]
"""A job: a coroutine function of the plugin, called with a fresh Context of the plugin."""

ErrorReporter = Callable[[str, str, Exception], Awaitable[None]]
"""Reports that a job (plugin, job id) raised an exception."""

_JOB_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


@dataclass(frozen=True, slots=True)
class _State:
    """What the store remembers of a job."""

    definition: str
    since: float
    last_run: float | None = None
    paused: bool = False


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    """A plugin's job: its trigger, next run (``None``: paused or finished) and last run."""

    id: str
    trigger: Trigger
    next_run: dt.datetime | None
    last_run: dt.datetime | None
    paused: bool

    @property
    def finished(self) -> bool:
        """Whether the job has no run left (a one-off that ran or was missed)."""
        return self.next_run is None and not self.paused


@dataclass(slots=True)
class _Entry:
    plugin: str
    id: str
    trigger: Trigger
    aps: BaseTrigger
    func: JobFunc
    grace: dt.timedelta
    state: _State
    running: asyncio.Task[None] | None = None


class Scheduling:
    """The runtime's scheduler: one ``AsyncIOScheduler`` shared by every plugin.

    ``timezone`` is the default zone of triggers; ``wall_clock`` returns epoch seconds;
    ``context_for`` builds the Context passed to a plugin's job; ``report`` is told of jobs that
    raised (it must not raise).
    """

    def __init__(
        self,
        store: KeyValueStore,
        *,
        timezone: str,
        wall_clock: Callable[[], float],
        context_for: Callable[[str], Context],
        report: ErrorReporter,
    ) -> None:
        self.zone = parse_zone(timezone)
        self._store = store
        self._clock = wall_clock
        self._context_for = context_for
        self._report = report
        self._aps = AsyncIOScheduler(timezone=self.zone)
        self._entries: dict[str, _Entry] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    # -- lifecycle (the runtime calls these) ----------------------------------------------------

    def start(self) -> None:
        """Start the scheduler paused (call from the event loop); :meth:`resume` lets jobs fire."""
        if not self._aps.running:
            self._aps.start(paused=True)

    def resume(self) -> None:
        """Let due jobs fire (the client is connected)."""
        if self._aps.running:
            self._aps.resume()

    def pause(self) -> None:
        """Stop jobs from firing (the client is disconnected); due runs wait for :meth:`resume`."""
        if self._aps.running:
            self._aps.pause()

    async def shutdown(self) -> None:
        """Stop firing, wait for running jobs to finish, then shut the scheduler down."""
        self.pause()
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._aps.running:
            self._aps.shutdown(wait=False)

    # -- jobs ------------------------------------------------------------------------------------

    async def add(
        self, plugin: str, job_id: str, trigger: Trigger, func: JobFunc, grace: dt.timedelta
    ) -> ScheduledJob:
        """Add (or replace) job ``job_id`` of ``plugin``, applying its stored state; return it.

        Raises PluginError for an invalid id or trigger; StoreError when the store fails.
        """
        if not _JOB_ID.fullmatch(job_id):
            raise PluginError(f"job id {job_id!r}: expected 1-64 letters, digits, '.', '_', '-'")
        key = f"{plugin}:{job_id}"
        definition = _definition(trigger)
        now = self._clock()
        state = await self._load(plugin, job_id)
        if state is None:
            state = _State(definition, now)
        elif state.definition != definition:
            state = replace(state, definition=definition, since=now)
        try:
            aps = aps_trigger(trigger, self.zone, _datetime(state.since))
        except ValueError as error:
            raise PluginError(f"job {key}: {error}") from None
        await self._save(plugin, job_id, state)
        self._drop(key)
        entry = _Entry(plugin, job_id, trigger, aps, func, grace, state)
        self._entries[key] = entry
        reference = max(state.since, state.last_run or state.since)
        plan = plan_start(aps, _datetime(reference), _datetime(now), grace)
        if plan.catch_up:
            log.info("job %s missed a run at %s; it runs once now", key, plan.next_run)
        if plan.next_run is not None or state.paused:
            self._aps.add_job(
                self._fire,
                aps,
                args=(key,),
                id=key,
                name=key,
                next_run_time=None if state.paused else plan.next_run,
                coalesce=True,
                misfire_grace_time=max(1, int(grace.total_seconds())),
                max_instances=1,
            )
        return self._describe(entry)

    def jobs(self, plugin: str) -> list[ScheduledJob]:
        """Return the jobs of ``plugin`` sorted by id (finished one-offs included)."""
        entries = sorted(
            (entry for entry in self._entries.values() if entry.plugin == plugin),
            key=lambda entry: entry.id,
        )
        return [self._describe(entry) for entry in entries]

    def get(self, plugin: str, job_id: str) -> ScheduledJob | None:
        """Return job ``job_id`` of ``plugin``, or ``None``."""
        entry = self._entries.get(f"{plugin}:{job_id}")
        return self._describe(entry) if entry is not None else None

    async def set_paused(self, plugin: str, job_id: str, paused: bool) -> ScheduledJob:
        """Pause or resume job ``job_id`` (remembered across restarts); return it.

        A resumed job continues at its next regular time. Raises PluginError for an unknown job.
        """
        entry = self._entry(plugin, job_id)
        entry.state = replace(entry.state, paused=paused)
        await self._save(plugin, job_id, entry.state)
        key = f"{plugin}:{job_id}"
        upcoming = None if paused else next_after(entry.aps, _datetime(self._clock()))
        if self._aps.get_job(key) is not None:  # a finished one-off has nothing to resume
            self._aps.modify_job(key, next_run_time=upcoming)
        return self._describe(entry)

    async def remove(self, plugin: str, job_id: str) -> None:
        """Remove job ``job_id`` and forget its state. Raises PluginError for an unknown job."""
        self._entry(plugin, job_id)
        self._drop(f"{plugin}:{job_id}")
        await self._store.delete_value(_namespace(plugin), job_id)

    async def run(self, plugin: str, job_id: str) -> None:
        """Run job ``job_id`` now, outside its schedule, and wait for it to finish.

        Its failure is reported, not raised. Raises PluginError for an unknown job.
        """
        entry = self._entry(plugin, job_id)
        await self._execute(entry)

    # -- internals -------------------------------------------------------------------------------

    async def _fire(self, key: str) -> None:
        """APScheduler's job function: start the run in a task the runtime waits for at stop."""
        entry = self._entries.get(key)
        if entry is None:
            return
        if entry.running is not None and not entry.running.done():
            log.warning("job %s is still running; this run is skipped", key)
            return
        task = asyncio.create_task(self._execute(entry), name=f"job {key}")
        entry.running = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _execute(self, entry: _Entry) -> None:
        entry.state = replace(entry.state, last_run=self._clock())
        try:
            await self._save(entry.plugin, entry.id, entry.state)
            await entry.func(self._context_for(entry.plugin))
        except Exception as error:
            await self._report(entry.plugin, entry.id, error)

    def _describe(self, entry: _Entry) -> ScheduledJob:
        job = self._aps.get_job(f"{entry.plugin}:{entry.id}")
        next_run = job.next_run_time if job is not None else None
        last = entry.state.last_run
        return ScheduledJob(
            entry.id,
            entry.trigger,
            next_run,
            _datetime(last) if last is not None else None,
            entry.state.paused,
        )

    def _entry(self, plugin: str, job_id: str) -> _Entry:
        entry = self._entries.get(f"{plugin}:{job_id}")
        if entry is None:
            raise PluginError(f"plugin {plugin!r} has no scheduled job {job_id!r}")
        return entry

    def _drop(self, key: str) -> None:
        self._entries.pop(key, None)
        if self._aps.get_job(key) is not None:
            self._aps.remove_job(key)

    async def _load(self, plugin: str, job_id: str) -> _State | None:
        raw = await self._store.get_value(_namespace(plugin), job_id)
        if raw is None:
            return None
        try:
            data: dict[str, Any] = json.loads(raw)
            return _State(
                str(data["definition"]),
                float(data["since"]),
                None if data.get("last_run") is None else float(data["last_run"]),
                bool(data.get("paused", False)),
            )
        except (ValueError, KeyError, TypeError):
            log.warning("job %s:%s: stored state is unreadable; starting afresh", plugin, job_id)
            return None

    async def _save(self, plugin: str, job_id: str, state: _State) -> None:
        data = {
            "definition": state.definition,
            "since": state.since,
            "last_run": state.last_run,
            "paused": state.paused,
        }
        await self._store.put_value(_namespace(plugin), job_id, json.dumps(data).encode())


def _namespace(plugin: str) -> str:
    return f"scheduler:{plugin}"


def _definition(trigger: Trigger) -> str:
    """Return a stable text of ``trigger``: a changed definition restarts the job's history."""
    if isinstance(trigger, Cron):
        return f"cron|{' '.join(trigger.expression.split())}|{trigger.timezone}"
    if isinstance(trigger, Every):
        return f"every|{trigger.interval.total_seconds()}"
    return f"at|{trigger.when.isoformat()}|{trigger.timezone}"


def _datetime(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)
