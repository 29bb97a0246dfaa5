"""Starting a bot for real: open its store, log its client in, run the runtime on top.

>>> async with opened_account(config) as account:
...     async with running_bot(config, account, server=server, pair=scan) as bot:
...         print(bot.connected.jid)

``pair`` is how the device gets linked when it is not paired yet: it is called with the first QR
code and must make the account's phone scan it (on a sandbox, through its linker or control API).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from botkit.bot.client_adapter import ClientAdapter
from botkit.bot.config import Config, ExternalServer
from botkit.bot.runtime import Runtime
from botkit.client import ServerConfig
from botkit.errors import ClientError, ConfigError, StoreError
from botkit.store import MemoryStore, SQLiteStore, Store
from botkit.store.base import AccountStore
from botkit.types.client_events import Connected, Disconnected, QRCodeShown
from botkit.types.jid import JID

__all__ = [
    "LOGIN_TIMEOUT",
    "Pair",
    "RunningBot",
    "login",
    "open_store",
    "opened_account",
    "paired_jid",
    "running_bot",
    "server_config",
]

LOGIN_TIMEOUT = 60.0

Pair = Callable[[str], Awaitable[object]]
"""Make the account's phone scan a QR code (the argument); return once it did."""


@dataclass(frozen=True, slots=True)
class RunningBot:
    """A logged-in bot: its runtime, its client and the login that ``running_bot`` waited for."""

    runtime: Runtime
    client: ClientAdapter
    connected: Connected


def server_config(setting: str | ExternalServer) -> ServerConfig:
    """Return where a bot with ``server: setting`` connects, and the trust root it checks.

    ``whatsapp``: WhatsApp's own endpoint and root public key (PROTOCOL.md); an
    :class:`ExternalServer`: its URL and root key. Raises ConfigError for ``sandbox``, whose
    address exists only once the embedded sandbox runs (use its ready line instead).
    """
    if isinstance(setting, ExternalServer):
        return ServerConfig(url=setting.url, trust_root=bytes.fromhex(setting.root_public_key))
    if setting == "whatsapp":
        return ServerConfig()
    raise ConfigError(f"server: {setting!r} has no fixed address (the embedded sandbox starts it)")


async def open_store(config: Config) -> Store:
    """Return the store of ``config.core.store`` (``:memory:``: in memory; else a SQLite file).

    A missing folder for the file is created readable by its owner only (0700); the file is 0600.

    Raises StoreError (MigrationError) when the folder cannot be created or the database cannot
    be opened or migrated.
    """
    path = config.core.store.path
    if path == ":memory:":
        return MemoryStore()
    file = config.resolve(path)
    try:
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new folder: owner only
    except OSError as error:
        raise StoreError(f"cannot create the store's folder {file.parent}: {error}") from error
    return await SQLiteStore.open(file)


@asynccontextmanager
async def opened_account(config: Config) -> AsyncIterator[AccountStore]:
    """Open the store of ``config`` and yield its account ``config.core.account``.

    The store is closed when the block ends. Raises StoreError as :func:`open_store` and
    :meth:`Store.open_account` do (e.g. the account is held by another process).
    """
    store = await open_store(config)
    try:
        yield await store.open_account(config.core.account)
    finally:
        await store.close()


async def paired_jid(account: AccountStore) -> JID | None:
    """Return the device JID ``account`` is paired as, or ``None`` when it is not paired."""
    credentials = await account.load_credentials()
    if credentials is None or credentials.jid is None:
        return None
    return JID.parse(credentials.jid)


async def login(
    client: ClientAdapter, pair: Pair | None, timeout: float = LOGIN_TIMEOUT
) -> Connected:
    """Connect ``client``, pairing it through ``pair`` if it shows a QR code; return the login.

    Raises ClientError when the device is not paired and ``pair`` is ``None``, when the client
    stops before logging in, or when no login happens within ``timeout`` seconds; and what
    :meth:`Client.connect` or ``pair`` raise.
    """
    events = client.subscribe(QRCodeShown, Connected, Disconnected)
    try:
        await client.connect()
        async with asyncio.timeout(timeout):
            while True:
                event = await events.get()
                if isinstance(event, Connected):
                    return event
                if isinstance(event, QRCodeShown) and event.index == 0:
                    if pair is None:
                        raise ClientError("the device is not paired and no way to pair it given")
                    await pair(event.code)
                elif isinstance(event, Disconnected) and not event.reconnecting:
                    raise ClientError(f"could not log in: {event.reason.value} {event.detail}")
    except TimeoutError:
        raise ClientError(f"no login within {timeout:g} s") from None
    finally:
        client.unsubscribe(events)


@asynccontextmanager
async def running_bot(
    config: Config,
    account: AccountStore,
    *,
    server: ServerConfig,
    pair: Pair | None,
    login_timeout: float = LOGIN_TIMEOUT,
    **options: Any,
) -> AsyncIterator[RunningBot]:
    """Run the bot of ``config`` on ``account`` against ``server`` while the block runs.

    Loads the plugins, starts the runtime, logs the client in (:func:`login`), keeps
    ``bot.name`` as the account's push name and yields the :class:`RunningBot`; on exit
    disconnects and waits until the runtime handled every event and stopped. ``options`` go to
    the :class:`~botkit.client.Client` (``timing``...).

    Raises PluginError or ConfigError when the plugins cannot be loaded, and as :func:`login`.
    """
    client = ClientAdapter(account, server=server, **options)
    runtime = Runtime(client, config, account)
    task = asyncio.create_task(runtime.run(), name="botkit-runtime")
    try:
        connected = await login(client, pair, login_timeout)
        if config.core.bot.name.strip():  # what contacts see; presence needs one (§14.1)
            await client.set_push_name(config.core.bot.name)
        yield RunningBot(runtime, client, connected)
    finally:
        await client.close()
        await task
