"""``ctx.scheduler``: one plugin's view of the runtime's :class:`~botkit.bot.scheduling.Scheduling`.

The policy (job ids, stored state, missed runs, pausing) is described in
:mod:`botkit.bot.scheduling`.
"""

from __future__ import annotations

import datetime as dt

from botkit.bot.scheduling import DEFAULT_GRACE, JobFunc, ScheduledJob, Scheduling
from botkit.bot.triggers import At, Cron, Every, Trigger

__all__ = ["PluginScheduler"]


class PluginScheduler:
    """``ctx.scheduler``: the jobs of one plugin (the policy: :mod:`botkit.bot.scheduling`)."""

    def __init__(self, scheduling: Scheduling, plugin: str) -> None:
        self._scheduling = scheduling
        self._plugin = plugin

    @property
    def timezone(self) -> str:
        """The default time zone of triggers (the bot's ``timezone``)."""
        return str(self._scheduling.zone)

    async def add(
        self, job_id: str, trigger: Trigger, func: JobFunc, *, grace: dt.timedelta = DEFAULT_GRACE
    ) -> ScheduledJob:
        """Add (or replace) job ``job_id`` calling ``func(ctx)`` on ``trigger``; return it.

        Raises PluginError for an invalid id or trigger.
        """
        return await self._scheduling.add(self._plugin, job_id, trigger, func, grace)

    async def cron(
        self,
        job_id: str,
        expression: str,
        func: JobFunc,
        *,
        timezone: str | None = None,
        grace: dt.timedelta = DEFAULT_GRACE,
    ) -> ScheduledJob:
        """Run ``func`` at the times of crontab ``expression`` (``timezone``: default zone)."""
        return await self.add(job_id, Cron(expression, timezone), func, grace=grace)

    async def every(
        self,
        job_id: str,
        interval: dt.timedelta,
        func: JobFunc,
        *,
        grace: dt.timedelta = DEFAULT_GRACE,
    ) -> ScheduledJob:
        """Run ``func`` every ``interval``, first one interval after the job was first added."""
        return await self.add(job_id, Every(interval), func, grace=grace)

    async def at(
        self,
        job_id: str,
        when: dt.datetime,
        func: JobFunc,
        *,
        timezone: str | None = None,
        grace: dt.timedelta = DEFAULT_GRACE,
    ) -> ScheduledJob:
        """Run ``func`` once at ``when`` (naive: in ``timezone``, else the default zone)."""
        return await self.add(job_id, At(when, timezone), func, grace=grace)

    def jobs(self) -> list[ScheduledJob]:
        """Return this plugin's jobs, sorted by id."""
        return self._scheduling.jobs(self._plugin)

    def get(self, job_id: str) -> ScheduledJob | None:
        """Return job ``job_id``, or ``None``."""
        return self._scheduling.get(self._plugin, job_id)

    async def pause(self, job_id: str) -> ScheduledJob:
        """Pause job ``job_id`` (it stays paused after a restart). Raises PluginError if unknown."""
        return await self._scheduling.set_paused(self._plugin, job_id, True)

    async def resume(self, job_id: str) -> ScheduledJob:
        """Resume job ``job_id`` at its next regular time. Raises PluginError if unknown."""
        return await self._scheduling.set_paused(self._plugin, job_id, False)

    async def remove(self, job_id: str) -> None:
        """Remove job ``job_id`` and forget its state. Raises PluginError if unknown."""
        await self._scheduling.remove(self._plugin, job_id)

    async def run(self, job_id: str) -> None:
        """Run job ``job_id`` now and wait for it (failures are reported). PluginError: unknown."""
        await self._scheduling.run(self._plugin, job_id)
