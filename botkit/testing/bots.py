"""Bots built from a config dict and run on an in-process sandbox, paired and logged in.

::

    async with AsyncExitStack() as stack:
        bots = SandboxBots(sandbox, stack)
        bot = await bots.start({"plugins": {"enabled": ["greeter"], "paths": ["./plugins"]}})
        ...  # bot.jid, bot.runtime; the bot stops when the stack closes

The config dict has the YAML file's shape. The bot's account is created on the sandbox (on the
config's ``pair_with`` number, else a free one) and its simulated phone scans the bot's QR code.
The store is always in memory and ``server`` is ignored (the bot uses the given sandbox); unless
the dict sets it, the outbound jitter is zero so tests do not wait for it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botkit.bot.config import config_from_dict
from botkit.bot.launch import RunningBot, running_bot
from botkit.bot.runtime import Runtime
from botkit.client import ClientTiming, KeepAliveTiming, PairingTiming, ServerConfig
from botkit.server import Sandbox
from botkit.store import MemoryStore, StoreOptions
from botkit.store.base import AccountStore
from botkit.testing.users import free_number
from botkit.types.jid import DEFAULT_USER_SERVER, JID

__all__ = ["TEST_TIMING", "SandboxBot", "SandboxBots"]

TEST_TIMING = ClientTiming(
    iq_timeout=5.0,
    pairing=PairingTiming(qr_timeouts=(10.0, 10.0), refs_timeout=5.0),
    keepalive=KeepAliveTiming(),
)
"""Client deadlines short enough for tests (a failure shows in seconds, not minutes)."""


@dataclass(frozen=True, slots=True)
class SandboxBot:
    """A running bot: its number, its phone-number JID and what :func:`running_bot` gave."""

    phone: str
    running: RunningBot

    @property
    def jid(self) -> JID:
        """The bot's phone-number JID: what users send to."""
        return JID(self.phone, DEFAULT_USER_SERVER)

    @property
    def runtime(self) -> Runtime:
        """The bot's runtime (plugins, commands, context)."""
        return self.running.runtime


class SandboxBots:
    """Starts bots on ``sandbox``; each stops when ``stack`` closes (the ``sandbox_bot`` fixture).

    ``base_dir`` is what relative paths of a config dict are relative to (default: the current
    directory).
    """

    def __init__(
        self, sandbox: Sandbox, stack: AsyncExitStack, *, base_dir: Path | None = None
    ) -> None:
        self.sandbox = sandbox
        self._stack = stack
        self._base_dir = base_dir

    async def start(
        self,
        config: Mapping[str, Any] | None = None,
        *,
        base_dir: Path | str | None = None,
        account: AccountStore | None = None,
        **options: Any,
    ) -> SandboxBot:
        """Build the bot of ``config``, pair it and run it; return once it is logged in.

        The bot stops when the fixture's stack closes; :meth:`running` stops it earlier.
        ``account`` is the store to run on (default: a fresh one in memory), e.g. to restart a
        bot on the state an earlier run left. ``options`` go to the :class:`~botkit.client.Client`
        (``timing`` defaults to :data:`TEST_TIMING`). Raises ConfigError or PluginError for a bad
        config or plugin, and ClientError when the bot cannot pair or log in.
        """
        return await self._stack.enter_async_context(
            self.running(config, base_dir=base_dir, account=account, **options)
        )

    @asynccontextmanager
    async def running(
        self,
        config: Mapping[str, Any] | None = None,
        *,
        base_dir: Path | str | None = None,
        account: AccountStore | None = None,
        **options: Any,
    ) -> AsyncIterator[SandboxBot]:
        """Like :meth:`start`, but the bot stops when the ``async with`` block ends."""
        data = _with_test_defaults(config or {})
        phone = data.get("pair_with") or free_number(self.sandbox)
        data["pair_with"] = phone
        folder = Path(base_dir) if base_dir is not None else self._base_dir or Path.cwd()
        loaded = config_from_dict(data, base_dir=folder, name="<sandbox_bot config>")
        number = loaded.core.pair_with or phone
        self.sandbox.ensure_user(number, loaded.core.bot.name)
        if account is None:
            memory = MemoryStore(StoreOptions(renew_interval=None))
            self._stack.push_async_callback(memory.close)
            account = await memory.open_account(loaded.core.account)

        async def scan(code: str) -> object:
            return await self.sandbox.linker.pair_qr(number, code)

        options.setdefault("timing", TEST_TIMING)
        server = ServerConfig.from_ready_line(self.sandbox.ready_line())
        async with running_bot(loaded, account, server=server, pair=scan, **options) as running:
            yield SandboxBot(number, running)

    __call__ = start


def _with_test_defaults(config: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(config)
    data.pop("server", None)
    data.pop("store", None)
    bot = dict(data.get("bot") or {})
    rate_limit = dict(bot.get("rate_limit") or {})
    rate_limit.setdefault("jitter_ms", [0, 0])
    bot["rate_limit"] = rate_limit
    data["bot"] = bot
    return data
