"""End to end on the in-process sandbox: an interval announcement reaches a user through the real
client, APScheduler's real timer and the rate limiter, and keeps coming after a restart."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from botkit.store import MemoryStore, StoreOptions
from botkit.testing import SandboxBots, SandboxUsers

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 10.0


def tick_config(to: str) -> dict[str, Any]:
    announcement = {"id": "tick", "to": [to], "every": "1s", "text": "tick from {{ schedule.id }}"}
    return {
        "account": "scheduler-demo",
        "plugins": {"enabled": ["scheduler"], "paths": [str(REPO / "plugins")]},
        "scheduler": {"announcements": [announcement]},
    }


async def test_an_interval_announcement_arrives_and_survives_a_restart(
    sandbox_bot: SandboxBots, sandbox_users: SandboxUsers
) -> None:
    alice = await sandbox_users.create("Alice")
    config = tick_config(str(alice.jid))
    memory = MemoryStore(StoreOptions(renew_interval=None))
    account = await memory.open_account("scheduler-demo")
    try:
        async with sandbox_bot.running(config, account=account):
            assert await alice.expect_reply(timeout=TIMEOUT) == "tick from tick"
        stopped_at = len(alice.received)
        async with sandbox_bot.running(config, account=account) as again:
            job = again.runtime.context("scheduler").scheduler.get("tick")
            assert job is not None and job.last_run is not None  # the state was kept
            async with asyncio.timeout(TIMEOUT):  # one more tick, sent by the restarted bot
                await sandbox_bot.sandbox.wait_inbox(alice.phone, stopped_at + 1)
    finally:
        await memory.close()
    assert {entry["text"] for entry in alice.received} == {"tick from tick"}
