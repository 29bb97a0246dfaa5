"""Scheduled announcements: texts or templates sent to groups on a cron, interval or date.

Configured under ``scheduler:`` (see ``bot.example.yaml``)::

    scheduler:
      timezone: Europe/Berlin        # default zone of the announcements (else bot.timezone)
      misfire_grace: 15m             # how late a missed run may still be sent
      announcements:
        - id: weekly-rules
          to: ["Demo group"]         # group names (matched to the bot's groups) or JIDs
          cron: "0 9 * * mon"        # or every: 30m, or at: "2026-12-24T18:00"
          timezone: Europe/Berlin    # optional, per announcement
          template: announcements/rules.j2   # or text: "Still here, {{ group.subject }}!"

Texts and templates are rendered at send time with ``now`` (in the announcement's zone),
``group`` (``subject``, ``member_count``, ``description``, ``jid``) and ``schedule`` (``id``,
``when``); see :mod:`.delivery`.

Bot admins and owners manage announcements from a chat: ``!schedule list``,
``!schedule add "0 9 * * mon" "Demo group" Good morning``, ``!schedule add every 30m here Hi``,
``!schedule add at 2026-12-24T18:00 here Merry Christmas``, ``!schedule pause ID``,
``!schedule resume ID``, ``!schedule remove ID``. Added announcements are kept in the store and
scheduled like the configured ones; configured ones are removed by editing the file (``!reload``
applies it), and can be paused.

Persistence and the missed-run policy (kept by ``ctx.scheduler``, see
:mod:`botkit.bot.scheduling`): each announcement's last run and paused state live in the store.
After a restart or a disconnection, runs missed meanwhile are **coalesced** into one, sent as soon
as the bot is connected, if the latest missed run is at most ``misfire_grace`` old; older ones are
skipped and the announcement continues at its next regular time. An interval keeps the phase of
when it was first scheduled; a one-off that ran is never sent again. Changing an announcement's
trigger starts its schedule afresh.
"""

from __future__ import annotations

from pydantic import BaseModel

from botkit import Context, hookimpl

from .announcements import SchedulerConfig
from .commands import schedule
from .definitions import sync

__all__ = ["schedule"]


@hookimpl
def botkit_config_model() -> type[BaseModel]:
    return SchedulerConfig


@hookimpl
async def botkit_startup(ctx: Context) -> None:
    await sync(ctx)


@hookimpl
async def botkit_config_reloaded(ctx: Context) -> None:
    await sync(ctx)
