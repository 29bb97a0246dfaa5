"""The example bot (bot.example.yaml) in its demo world: the demo group gets the announcements and
is moderated (the bot is its admin), through the real client and the sandbox."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
import yaml

from botkit.bot.config import load_config
from botkit.cli.demo import DemoWorld, prepare_demo
from botkit.server import Sandbox
from botkit.testing import SandboxBot, SandboxBots

from .helpers import REPO, TIMEOUT

EXAMPLE = REPO / "bot.example.yaml"


@dataclass(frozen=True, slots=True)
class Demo:
    sandbox: Sandbox
    bot: SandboxBot
    world: DemoWorld

    async def inbox(self, phone: str, count: int) -> list[str]:
        """Return ``phone``'s texts once there are ``count``."""
        async with asyncio.timeout(TIMEOUT):
            entries = await self.sandbox.wait_inbox(phone, count)
        return [str(entry["text"]) for entry in entries]


@pytest.fixture
async def demo(sandbox: Sandbox, sandbox_bot: SandboxBots) -> Demo:
    """The example bot running, and its demo world made around it."""
    config = yaml.safe_load(EXAMPLE.read_text())
    config["bot"]["rate_limit"]["jitter_ms"] = [0, 0]  # answers at once, not after a human pause
    bot = await sandbox_bot(config, base_dir=REPO)
    world = await prepare_demo(sandbox, load_config(EXAMPLE, env={}), bot.jid)
    return Demo(sandbox, bot, world)


async def test_an_announcement_to_demo_group_reaches_its_members(demo: Demo) -> None:
    scheduler = demo.bot.runtime.context("scheduler").scheduler
    await scheduler.run("heartbeat")
    assert await demo.inbox(demo.world.bob.phone, 1) == ["Still here, Demo group!"]


async def test_a_link_in_demo_group_gets_a_warning(demo: Demo) -> None:
    alice, bob = demo.world.alice, demo.world.bob
    await demo.sandbox.send_text(bob.phone, demo.world.group, "see https://spam.example.com")
    seen, warning = await demo.inbox(alice.phone, 2)
    assert seen == "see https://spam.example.com"
    assert warning.startswith(f"⚠️ @{bob.phone}: links to spam.example.com are not allowed here.")
