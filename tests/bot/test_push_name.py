"""A running bot keeps ``bot.name`` as its push name, so it can announce itself available."""

from __future__ import annotations

from botkit.store import MemoryStore, StoreOptions
from botkit.testing import SandboxBots


async def test_the_bot_name_becomes_the_push_name(sandbox_bot: SandboxBots) -> None:
    memory = MemoryStore(StoreOptions(renew_interval=None))
    account = await memory.open_account("named")
    try:
        config = {"account": "named", "bot": {"name": "Named bot"}, "plugins": {"enabled": []}}
        async with sandbox_bot.running(config, account=account) as bot:
            credentials = await account.load_credentials()
            assert credentials is not None and credentials.push_name == "Named bot"
            await bot.running.client.client.presence.set_available(True)  # no NoPushName
    finally:
        await memory.close()
