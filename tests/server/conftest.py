"""Fixtures for the sandbox tests: a running sandbox with one account."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from botkit.server.app import Sandbox

PHONE = "15550001111"


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(ref_timeouts=(5.0, 5.0), reply_timeout=5.0) as running:
        running.create_user(PHONE, "Alice")
        yield running
