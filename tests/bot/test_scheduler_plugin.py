"""The scheduler plugin: announcements from YAML and from `!schedule`, sent through the fake."""

from __future__ import annotations

import datetime as dt
import logging
import random
import textwrap
from pathlib import Path
from typing import Any

import pytest

from botkit.bot import Runtime, load_config
from botkit.errors import ConfigError
from botkit.testing import FakeClient, FakeClock, MemoryKeyValueStore
from botkit.types import ParticipantRole

from .conftest import OWNER, MakeBot

REPO = Path(__file__).resolve().parents[2]
GROUP = "120363000000000001@g.us"
OTHER = "120363000000000002@g.us"
ADMIN = "15550003333"
MEMBER = "15551230001"
ADMIN_JID = f"{ADMIN}@s.whatsapp.net"

HEARTBEAT = {
    "id": "heartbeat",
    "to": ["demo group"],
    "every": "30m",
    "text": "Still here, {{ group.subject }} ({{ group.member_count }})! {{ schedule.id }}",
}
RULES = {
    "id": "weekly-rules",
    "to": ["Demo group", OTHER],
    "cron": "0 9 * * mon",
    "template": "announcements/rules.j2",
}


@pytest.fixture(autouse=True)
def groups(client: FakeClient) -> None:
    members = {OWNER: ParticipantRole.ADMIN, MEMBER: ParticipantRole.MEMBER}
    client.add_group(GROUP, "Demo group", members)
    client.add_group(OTHER, "Other group", {OWNER: ParticipantRole.ADMIN})


async def scheduler_bot(make_bot: MakeBot, *announcements: dict[str, Any]) -> Runtime:
    bot = make_bot(
        enabled=["commands", "scheduler"],
        bot={"admins": [ADMIN], "timezone": "UTC", "templates": str(REPO / "templates")},
        scheduler={"timezone": "Europe/Berlin", "announcements": list(announcements)},
    )
    await bot.start()
    return bot


async def command(bot: Runtime, client: FakeClient, text: str, sender: str = ADMIN) -> str:
    before = len(client.sent)
    await bot.handle(client.message(text, sender=sender, chat=GROUP))
    [answer] = client.texts()[before:]
    return answer


def test_the_example_config_is_valid() -> None:
    config = load_config(REPO / "bot.example.yaml", env={})
    data = dict(config.sections)
    assert [a["id"] for a in data["scheduler"]["announcements"]] == ["weekly-rules", "heartbeat"]
    assert (REPO / "templates" / "announcements" / "rules.j2").is_file()


async def test_the_example_announcements_render(
    make_bot: MakeBot, client: FakeClient, clock: FakeClock
) -> None:
    section = load_config(REPO / "bot.example.yaml", env={}).sections["scheduler"]
    bot = make_bot(
        enabled=["commands", "scheduler"],
        bot={"templates": str(REPO / "templates")},
        scheduler=section,
    )
    await bot.start()
    scheduler = bot.context("scheduler").scheduler
    await scheduler.run("weekly-rules")
    await scheduler.run("heartbeat")
    rules, heartbeat = client.texts(GROUP)
    assert rules.startswith("📌 The rules of Demo group (2 members)")
    assert rules.endswith("Friday 15 January, 09:00 · announcement weekly-rules")  # Berlin
    assert heartbeat == "Still here, Demo group!"
    await bot.stop()


async def test_an_interval_announcement_reaches_the_named_group(
    make_bot: MakeBot, client: FakeClient, clock: FakeClock
) -> None:
    bot = await scheduler_bot(make_bot, HEARTBEAT)
    job = bot.context("scheduler").scheduler.get("heartbeat")
    assert job is not None and job.next_run == dt.datetime.fromtimestamp(clock.now + 1800, dt.UTC)
    await bot.context("scheduler").scheduler.run("heartbeat")
    assert client.texts(GROUP) == ["Still here, Demo group (2)! heartbeat"]
    await bot.stop()


async def test_an_unknown_group_is_logged_and_the_others_still_get_it(
    make_bot: MakeBot, client: FakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    rules = {**RULES, "to": ["Nowhere", OTHER]}
    bot = await scheduler_bot(make_bot, rules)
    with caplog.at_level(logging.WARNING):
        await bot.context("scheduler").scheduler.run("weekly-rules")
    assert "announcement weekly-rules: the bot is in no group named 'Nowhere'" in caplog.text
    [text] = client.texts(OTHER)
    assert text.startswith("📌 The rules of Other group (1 members)")
    await bot.stop()


async def test_announcements_continue_after_a_restart(
    make_bot: MakeBot, client: FakeClient, clock: FakeClock
) -> None:
    start = clock.now
    bot = await scheduler_bot(make_bot, HEARTBEAT)
    await bot.stop()
    clock.now = start + 1800 + 120  # the first run was missed two minutes ago (grace 15m)
    again = await scheduler_bot(make_bot, HEARTBEAT)
    job = again.context("scheduler").scheduler.get("heartbeat")
    assert job is not None and job.next_run == dt.datetime.fromtimestamp(start + 1800, dt.UTC)
    await again.context("scheduler").scheduler.run("heartbeat")
    assert client.texts(GROUP) == ["Still here, Demo group (2)! heartbeat"]
    await again.stop()


# -- !schedule -------------------------------------------------------------------------------


async def test_schedule_add_list_and_survive_a_restart(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = await scheduler_bot(make_bot, HEARTBEAT)
    added = await command(
        bot, client, '!schedule add "0 9 * * mon" "Other group" Hi {{ group.subject }}'
    )
    assert added == (
        "Added a1: cron 0 9 * * mon (Europe/Berlin) — to Other group — "
        "next Mon 18 Jan 09:00 (Europe/Berlin) — added in chat"
    )
    listing = await command(bot, client, "!schedule list")
    assert listing.splitlines()[1:] == [
        "a1: cron 0 9 * * mon (Europe/Berlin) — to Other group — next Mon 18 Jan 09:00 "
        "(Europe/Berlin) — added in chat",
        "heartbeat: every 30m — to demo group — next Fri 15 Jan 09:30 (Europe/Berlin)",
    ]
    await bot.stop()
    again = await scheduler_bot(make_bot, HEARTBEAT)
    await again.context("scheduler").scheduler.run("a1")
    assert client.texts(OTHER) == ["Hi Other group"]
    await again.stop()


async def test_schedule_every_here_pause_resume_remove(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = await scheduler_bot(make_bot)
    added = await command(bot, client, "!schedule add every 2h here Drink water")
    assert added.startswith(f"Added a1: every 2h — to {GROUP} — next Fri 15 Jan 11:00")
    assert (await command(bot, client, "!schedule pause a1")).endswith("— paused — added in chat")
    await bot.stop()
    again = await scheduler_bot(make_bot)
    assert "— paused —" in await command(again, client, "!schedule list")
    resumed = await command(again, client, "!schedule resume a1")
    assert "next Fri 15 Jan 11:00" in resumed
    assert await command(again, client, "!schedule remove a1") == "Removed a1."
    assert await command(again, client, "!schedule list") == "No announcements are scheduled."
    await again.stop()


async def test_configured_announcements_are_not_removed_by_command(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = await scheduler_bot(make_bot, HEARTBEAT)
    answer = await command(bot, client, "!schedule remove heartbeat")
    assert answer.startswith("heartbeat is defined in the config file")
    assert bot.context("scheduler").scheduler.get("heartbeat") is not None
    await bot.stop()


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ('!schedule add "0 25 * * *" here Hi', "cron: expected a cron expression like"),
        ("!schedule add every soon here Hi", "every: expected a duration like 30m, 2h or 1d"),
        ("!schedule add 0 9 * * mon here Hi", 'expected "<cron>" in quotes'),
        ('!schedule add every 1h "No such group" Hi', "the bot is in no group named"),
        ("!schedule add every 1h here Hi {{ group.nme }}", "the text cannot be rendered"),
        ("!schedule add every 1h here", "expected the text to send after the target"),
        ("!schedule pause zzz", "there is no announcement 'zzz'"),
        ("!schedule add at 2027-01-15T08:59 here Hi", "2027-01-15 08:59:00 has already passed"),
    ],
)
async def test_bad_schedule_commands_are_explained(
    make_bot: MakeBot, client: FakeClient, text: str, answer: str
) -> None:
    bot = await scheduler_bot(make_bot)
    assert answer in await command(bot, client, text)
    assert bot.context("scheduler").scheduler.jobs() == []
    await bot.stop()


async def test_schedule_add_at_sends_once(make_bot: MakeBot, client: FakeClient) -> None:
    bot = await scheduler_bot(make_bot)
    added = await command(bot, client, "!schedule add at 2027-01-15T09:30 here Meeting now")
    assert added == (
        f"Added a1: at 2027-01-15T09:30 (Europe/Berlin) — to {GROUP} — "
        "next Fri 15 Jan 09:30 (Europe/Berlin) — added in chat"
    )
    await bot.context("scheduler").scheduler.run("a1")
    assert client.texts(GROUP)[-1] == "Meeting now"
    await bot.stop()


async def test_schedule_is_for_bot_admins(make_bot: MakeBot, client: FakeClient) -> None:
    bot = await scheduler_bot(make_bot, HEARTBEAT)
    answer = await command(bot, client, "!schedule add every 1h here Hi", sender=MEMBER)
    assert answer == "!schedule is only for bot admins."
    assert [job.id for job in bot.context("scheduler").scheduler.jobs()] == ["heartbeat"]
    await bot.stop()


async def test_schedule_without_action_shows_the_usage(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = await scheduler_bot(make_bot)
    assert (await command(bot, client, "!schedule")).startswith("Usage:\n!schedule list")
    await bot.stop()


# -- config errors -----------------------------------------------------------------------------

BAD_CONFIGS = [
    ('cron: "0 9 * *"', "line 8: scheduler.announcements[0].cron: expected a cron expression"),
    ("every: soon", "line 8: scheduler.announcements[0].every: expected a duration like 30m"),
    (
        "every: 1h\n      timezone: Mars/Base",
        "line 9: scheduler.announcements[0].timezone: expected an IANA time zone",
    ),
    ('every: 1h\n      cron: "0 9 * * *"', "expected exactly one of cron, every or at"),
    ("at: tomorrow", "scheduler.announcements[0].at: expected a valid datetime"),
]


@pytest.mark.parametrize(("trigger", "message"), BAD_CONFIGS)
def test_invalid_announcements_give_readable_errors(
    tmp_path: Path, client: FakeClient, kv: MemoryKeyValueStore, trigger: str, message: str
) -> None:
    file = tmp_path / "bot.yaml"
    file.write_text(
        textwrap.dedent(f"""\
        plugins:
          enabled: [scheduler]
          paths: [{REPO / "plugins"}]
        scheduler:
          announcements:
            - id: x
              to: ["Demo group"]
              {{trigger}}
              text: hi
        """).replace("{trigger}", trigger)
    )
    with pytest.raises(ConfigError) as error:
        Runtime(client, load_config(file, env={}), kv, rng=random.Random(1))
    assert message in str(error.value)
    assert str(file) in str(error.value)
