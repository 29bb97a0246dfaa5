"""The botkit pytest plugin: a sandbox, bots on it and scripted users, as fixtures.

Installed with botkit (entry point ``pytest11``), so a plugin's tests just use the fixtures::

    async def test_ping(sandbox_bot, sandbox_users):
        bot = await sandbox_bot({"plugins": {"enabled": ["greeter"], "paths": ["./plugins"]}})
        alice = await sandbox_users.create("Alice")
        await alice.send(bot, "!ping")
        await alice.expect_reply("pong", timeout=5)

Fixtures (each per test):

* ``sandbox``: a :class:`~botkit.server.Sandbox` running in the test's event loop;
* ``sandbox_users``: :class:`~botkit.testing.users.SandboxUsers` on it;
* ``sandbox_bot``: :class:`~botkit.testing.bots.SandboxBots` on it, callable with a config dict;
  the bots stop when the test ends. Relative paths are relative to the test file's folder.

The async fixtures need pytest-asyncio (``pip install botkit[testing]`` brings it); without it
the plugin registers nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from botkit.server import Sandbox
from botkit.testing.bots import SandboxBots
from botkit.testing.users import SandboxUsers

try:
    import pytest_asyncio

    _HAVE_ASYNCIO = True
except ImportError:  # pragma: no cover - pytest-asyncio is a dev dependency of botkit
    _HAVE_ASYNCIO = False

__all__ = ["sandbox", "sandbox_bot", "sandbox_users"]

if _HAVE_ASYNCIO:

    @pytest_asyncio.fixture
    async def sandbox() -> AsyncIterator[Sandbox]:
        """A sandbox for this test, with short pairing deadlines."""
        async with Sandbox(ref_timeouts=(10.0, 10.0), reply_timeout=5.0) as running:
            yield running

    @pytest.fixture
    def sandbox_users(sandbox: Sandbox) -> SandboxUsers:
        """Creates scripted users on the test's sandbox: ``await sandbox_users.create(name)``."""
        return SandboxUsers(sandbox)

    @pytest_asyncio.fixture
    async def sandbox_bot(
        sandbox: Sandbox, request: pytest.FixtureRequest
    ) -> AsyncIterator[SandboxBots]:
        """Starts bots on the test's sandbox: ``bot = await sandbox_bot({...config...})``."""
        async with AsyncExitStack() as stack:
            yield SandboxBots(sandbox, stack, base_dir=Path(request.path).parent)
