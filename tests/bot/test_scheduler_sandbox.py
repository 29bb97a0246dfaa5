"""End to end on the in-process sandbox: an interval announcement reaches a user through the real
client, APScheduler's real timer and the rate limiter, and keeps coming after a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from botkit.bot import Config, config_from_dict
from botkit.bot.launch import RunningBot, running_bot
from botkit.client import ServerConfig
from botkit.server import Sandbox
from botkit.store import MemoryStore, StoreOptions
from botkit.store.base import AccountStore

from .test_sandbox_run import BOT_PHONE, FAST, USER_PHONE, _texts, _until, sandbox

__all__ = ["sandbox"]  # the fixture, shared with test_sandbox_run

REPO = Path(__file__).resolve().parents[2]


def tick_config() -> Config:
    announcement = {
        "id": "tick",
        "to": [f"{USER_PHONE}@s.whatsapp.net"],
        "every": "1s",
        "text": "tick from {{ schedule.id }}",
    }
    return config_from_dict(
        {
            "account": "scheduler-demo",
            "bot": {"rate_limit": {"jitter_ms": [0, 0]}},
            "plugins": {"enabled": ["scheduler"], "paths": [str(REPO / "plugins")]},
            "scheduler": {"announcements": [announcement]},
        },
        base_dir=REPO,
    )


@asynccontextmanager
async def bot_on(sandbox: Sandbox, account: AccountStore) -> AsyncIterator[RunningBot]:
    async def scan(code: str) -> object:
        return await sandbox.linker.pair_qr(BOT_PHONE, code)

    server = ServerConfig.from_ready_line(sandbox.ready_line())
    async with running_bot(tick_config(), account, server=server, pair=scan, timing=FAST) as bot:
        yield bot


async def test_an_interval_announcement_arrives_and_survives_a_restart(sandbox: Sandbox) -> None:
    memory = MemoryStore(StoreOptions(renew_interval=None))
    account = await memory.open_account("scheduler-demo")
    try:
        async with bot_on(sandbox, account):
            await _until(lambda: len(_texts(sandbox)) >= 1)
        received = len(_texts(sandbox))
        async with bot_on(sandbox, account) as again:
            job = again.runtime.context("scheduler").scheduler.get("tick")
            assert job is not None and job.last_run is not None  # the state was kept
            await _until(lambda: len(_texts(sandbox)) > received)
    finally:
        await memory.close()
    assert set(_texts(sandbox)) == {"tick from tick"}
