"""An identity change reaches ``botkit_identity_changed``, the user's chat as the context."""

from __future__ import annotations

import asyncio
from pathlib import Path

from botkit.server import Sandbox
from botkit.testing import FakeClient, SandboxBots, SandboxUsers
from botkit.types import IdentityChanged
from botkit.types.jid import JID

from .conftest import REPO, MakeBot

ALICE = JID("15551230001", "s.whatsapp.net")
TIMEOUT = 10.0

PLUGIN = """
from botkit import hookimpl
seen = []

@hookimpl
async def botkit_identity_changed(event, ctx):
    seen.append((event.user, ctx.chat))
    await ctx.reply().text("Your security code with this bot changed.").send()
"""


async def test_the_hook_gets_the_event_and_replies_to_the_user(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = make_bot(plugins={"trust": PLUGIN})
    await bot.handle(IdentityChanged(ALICE, 1.0))
    assert bot.manager.plugins["trust"].plugin.seen == [(ALICE, ALICE)]  # type: ignore[attr-defined]
    assert client.texts(ALICE) == ["Your security code with this bot changed."]


async def test_a_user_who_registers_again_hears_from_the_hook(
    sandbox: Sandbox, sandbox_bot: SandboxBots, sandbox_users: SandboxUsers, tmp_path: Path
) -> None:
    (tmp_path / "trust.py").write_text(PLUGIN)
    bot = await sandbox_bot(
        {
            "plugins": {
                "enabled": ["commands", "trust"],
                "paths": [str(tmp_path), str(REPO / "plugins")],
            }
        }
    )
    alice = await sandbox_users.create("Alice")
    await alice.send(bot, "!ping")  # the bot now has a session with Alice's phone
    await alice.expect_reply("pong", timeout=TIMEOUT)
    assert await sandbox.reset_identity(alice.phone) == [str(bot.running.connected.jid)]
    async with asyncio.timeout(TIMEOUT):  # her new phone starts with an empty inbox
        [answer] = await sandbox.wait_inbox(alice.phone, 1)
    assert answer["text"] == "Your security code with this bot changed."
