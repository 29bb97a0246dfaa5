"""Fixtures for the client tests: a running sandbox with one account, and stores."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from botkit.server import Sandbox
from botkit.store import AccountStore, MemoryStore, StoreOptions

from .helpers import PHONE


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(ref_timeouts=(10.0, 10.0), reply_timeout=5.0) as running:
        running.create_user(PHONE, "Alice")
        yield running


@pytest.fixture
async def store() -> AsyncIterator[AccountStore]:
    memory = MemoryStore(StoreOptions(renew_interval=None))
    account = await memory.open_account("bot")
    yield account
    await memory.close()
