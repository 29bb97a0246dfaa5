"""Fixtures for the sandbox tests: a running sandbox with one account, and its companion."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from botkit.server.app import Sandbox

from .messaging import Peer

PHONE = "15550001111"


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(ref_timeouts=(5.0, 5.0), reply_timeout=5.0) as running:
        running.create_user(PHONE, "Alice")
        yield running


@pytest.fixture
async def alice(sandbox: Sandbox) -> Peer:
    """A companion linked to the account of ``PHONE``, logged in."""
    peer = await Peer(sandbox, PHONE).link()
    await peer.login()
    return peer
