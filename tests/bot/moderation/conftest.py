"""Fixtures for the moderation plugin: a bot on a FakeClient in one group where it is admin.

The clock, key-value store and bot factory of ``tests/bot/conftest.py`` are reused; ``client``
gets the group.

Importing this module loads the plugin the way the runtime does, so the tests can import its
modules as ``botkit_plugin_moderation.<module>``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from botkit.bot import PluginManager, Runtime
from botkit.testing import FakeClient, FakeClock
from botkit.types.group import ParticipantRole
from botkit.types.jid import JID

REPO = Path(__file__).resolve().parents[3]
PluginManager().load("moderation", [REPO / "plugins"], REPO)

GROUP = JID.parse("120363000000000001@g.us")
BOT = "15550000000"  # FakeClient's own number
OWNER = "15550002222"
ADMIN = "15559990000"
MEMBER = "15551230001"
OTHER = "15551230002"
DAY = 86400.0

MakeBot = Callable[..., Runtime]


def pn(number: str) -> JID:
    """Return the phone-number JID of ``number``."""
    return JID(number, "s.whatsapp.net")


@pytest.fixture
def client(clock: FakeClock) -> FakeClient:
    """A client whose group has the bot and ADMIN as admins, MEMBER and OTHER as members."""
    fake = FakeClient(clock=clock)
    roles = {BOT: ParticipantRole.ADMIN, ADMIN: ParticipantRole.ADMIN}
    roles |= {MEMBER: ParticipantRole.MEMBER, OTHER: ParticipantRole.MEMBER}
    fake.add_group(GROUP, "Demo group", {pn(n): role for n, role in roles.items()})
    return fake


@pytest.fixture
def make_bot(make_bot: MakeBot) -> MakeBot:
    """Return a factory: ``make_bot(**moderation_section)`` -> a bot with commands and moderation.

    Outbound limits are out of the way (the virtual clock must only move when a test moves it).
    """
    limits = {"messages_per_minute": 10_000, "per_chat_per_minute": 10_000, "jitter_ms": [0, 0]}

    def make(**moderation: Any) -> Runtime:
        return make_bot(
            enabled=["commands", "moderation"],
            bot={"prefixes": ["!"], "rate_limit": limits},
            moderation=moderation,
        )

    return make
