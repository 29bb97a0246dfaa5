"""The owners' commands of plugins/commands: !plugins and !reload (with the scheduler's config)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from botkit.bot import Runtime, load_config
from botkit.testing import FakeClient, FakeClock, MemoryKeyValueStore
from botkit.types import ParticipantRole

from .conftest import OWNER, MakeBot

REPO = Path(__file__).resolve().parents[2]
GROUP = "120363000000000001@g.us"
ADMIN = "15550003333"
MEMBER = "15551230001"

CONFIG = """\
bot:
  owners: ["+{owner}"]
  admins: ["+{admin}"]
  rate_limit: {{jitter_ms: [0, 0]}}
plugins:
  enabled: [commands, scheduler]
  paths: [{plugins}]
scheduler:
  timezone: UTC
  announcements:
{announcements}
"""

HEARTBEAT = """\
    - id: heartbeat
      to: ["{group}"]
      every: 30m
      text: "{text}"
"""


def write_config(file: Path, *announcements: str) -> None:
    file.write_text(
        CONFIG.format(
            owner=OWNER,
            admin=ADMIN,
            plugins=REPO / "plugins",
            announcements="".join(announcements) or "    []",
        ).replace("announcements:\n    []", "announcements: []")
    )


def heartbeat(text: str, job_id: str = "heartbeat") -> str:
    return HEARTBEAT.format(group=GROUP, text=text).replace("heartbeat", job_id)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    file = tmp_path / "bot.yaml"
    write_config(file, heartbeat("old text"))
    return file


@pytest.fixture
async def bot(
    config_file: Path, client: FakeClient, clock: FakeClock, kv: MemoryKeyValueStore
) -> Runtime:
    client.add_group(GROUP, "Demo group", {OWNER: ParticipantRole.ADMIN})
    runtime = Runtime(
        client,
        load_config(config_file, env={}),
        kv,
        clock=clock.monotonic,
        wall_clock=clock.time,
        sleep=clock.sleep,
        rng=random.Random(3),
    )
    await runtime.start()
    return runtime


async def ask(bot: Runtime, client: FakeClient, text: str, sender: str = OWNER) -> str:
    before = len(client.sent)
    await bot.handle(client.message(text, sender=sender))
    [answer] = client.texts()[before:]
    return answer


async def test_plugins_lists_the_loaded_plugins(bot: Runtime, client: FakeClient) -> None:
    answer = await ask(bot, client, "!plugins")
    lines = answer.splitlines()
    assert lines[0] == "Plugins:"
    assert lines[1].startswith("commands (") and lines[1].endswith(
        "!about, !help, !ping, !plugins, !reload"
    )
    assert lines[2].startswith("scheduler (") and lines[2].endswith("): !schedule")
    assert len(lines) == 3  # the command router is no plugin of the user's
    await bot.stop()


@pytest.mark.parametrize("sender", [ADMIN, MEMBER])
@pytest.mark.parametrize("text", ["!plugins", "!reload"])
async def test_admin_commands_are_for_owners_only(
    bot: Runtime, client: FakeClient, config_file: Path, sender: str, text: str
) -> None:
    write_config(config_file)
    answer = await ask(bot, client, text, sender=sender)
    assert answer == f"{text} is only for the bot's owners."
    assert bot.context("scheduler").scheduler.get("heartbeat") is not None  # nothing reloaded
    await bot.stop()


async def test_reload_applies_the_plugin_sections(
    bot: Runtime, client: FakeClient, config_file: Path
) -> None:
    write_config(config_file, heartbeat("new text"), heartbeat("second", "second"))
    answer = await ask(bot, client, "!reload")
    assert answer == f"Reloaded {config_file}; plugin sections applied: scheduler."
    scheduler = bot.context("scheduler").scheduler
    assert [job.id for job in scheduler.jobs()] == ["heartbeat", "second"]
    await scheduler.run("heartbeat")
    assert client.texts(GROUP) == ["new text"]
    write_config(config_file, heartbeat("second", "second"))
    await ask(bot, client, "!reload")
    assert [job.id for job in scheduler.jobs()] == ["second"]
    await bot.stop()


async def test_a_broken_config_is_not_reloaded(
    bot: Runtime, client: FakeClient, config_file: Path
) -> None:
    write_config(config_file, heartbeat("new text").replace("every: 30m", "every: often"))
    answer = await ask(bot, client, "!reload")
    assert answer.startswith("Not reloaded; the running config stays.\n")
    assert "line 13: scheduler.announcements[0].every: expected a duration like 30m" in answer
    await bot.context("scheduler").scheduler.run("heartbeat")
    assert client.texts(GROUP) == ["old text"]
    await bot.stop()


async def test_reload_says_when_core_changes_need_a_restart(
    bot: Runtime, client: FakeClient, config_file: Path
) -> None:
    config_file.write_text(config_file.read_text().replace("bot:\n", "bot:\n  name: Renamed\n"))
    answer = await ask(bot, client, "!reload")
    assert answer.endswith("\nChanges to the core sections take effect after a restart.")
    assert bot.config.core.bot.name == "botkit"
    await bot.stop()


async def test_a_bot_without_a_config_file_cannot_reload(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = make_bot()
    answer = await ask(bot, client, "!reload")
    assert answer == (
        "Not reloaded; the running config stays.\n<config>: this bot was not started from a "
        "config file"
    )
