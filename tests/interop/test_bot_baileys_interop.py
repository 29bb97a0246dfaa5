"""Acceptance: a real Baileys client talks to a botkit bot through the sandbox.

Baileys (``baileys_chat.mjs``) pairs with the sandbox as one account; the bot (the built-in
``commands`` plugin, started with botkit.testing's bot factory) runs as another. Baileys sends
``!ping`` and gets ``pong``; ``!help`` lists the commands.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from botkit.server import Sandbox
from botkit.testing import SandboxBot, SandboxBots
from botkit.types.jid import JID

from .node_process import node_script
from .test_sandbox_messages_interop import ChatClient

BAILEYS_PHONE = "15550007777"
PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


@pytest.fixture
async def baileys(sandbox: Sandbox) -> AsyncIterator[ChatClient]:
    """A Baileys client paired with the sandbox (its phone scanned the QR code) and open."""
    sandbox.create_user(BAILEYS_PHONE, "Baileys user")
    async with node_script("baileys_chat.mjs", sandbox.ws_url, sandbox.root_public_key) as proc:
        client = ChatClient(proc)
        await sandbox.linker.pair_qr(BAILEYS_PHONE, (await client.next_event("qr"))["qr"])
        await client.next_event("open")
        yield client


@pytest.fixture
async def bot(sandbox_bot: SandboxBots) -> SandboxBot:
    return await sandbox_bot({"plugins": {"enabled": ["commands"], "paths": [str(PLUGINS)]}})


async def _answer(baileys: ChatClient, bot: SandboxBot, text: str) -> str:
    """Send ``text`` from Baileys to the bot; return the bot's answer as Baileys received it."""
    await baileys.send_text(str(bot.jid), text)
    reply = await baileys.incoming()
    assert JID.parse(reply["from"]).user in {bot.phone, _lid_user(bot)}, reply
    return str(reply["text"])


def _lid_user(bot: SandboxBot) -> str | None:
    lid = bot.running.connected.lid
    return None if lid is None else lid.user


async def test_baileys_sends_ping_and_gets_pong(baileys: ChatClient, bot: SandboxBot) -> None:
    assert await _answer(baileys, bot, "!ping") == "pong"


async def test_baileys_asks_for_help_and_gets_the_command_list(
    baileys: ChatClient, bot: SandboxBot
) -> None:
    answer = await _answer(baileys, bot, "!help")
    assert answer.startswith("Commands:")
    for name in ("help", "ping", "about"):
        assert f"!{name}" in answer
    assert await _answer(baileys, bot, "!ping") == "pong"  # and it goes on answering
