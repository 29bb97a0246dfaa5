"""Where a command's bot connects, by the config's ``server:`` section.

* ``sandbox``: a sandbox started in this process; the ``pair_with`` account is created unless it
  exists, and the bot pairs itself through the sandbox's linker. With a store file, the sandbox
  keeps its state in ``sandbox/`` beside it (:func:`sandbox_data_dir`), so the pairing, the users
  and the groups outlive the process; with ``:memory:`` it starts empty each time;
* ``{url, root_public_key, control_url}``: a sandbox running elsewhere; with ``pair_with`` and a
  ``control_url`` the bot pairs itself through that sandbox's control API;
* ``whatsapp``: WhatsApp itself; pairing is a person scanning the QR code (``botkit pair``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from botkit.bot.config import Config, ExternalServer
from botkit.bot.launch import Pair, server_config
from botkit.cli.control_api import ControlAPI
from botkit.client import ServerConfig
from botkit.errors import StoreError
from botkit.server import Sandbox

__all__ = ["Target", "sandbox_data_dir", "say", "target_of"]


@dataclass(frozen=True, slots=True)
class Target:
    """A server to connect to, and how the bot's device gets paired there."""

    server: ServerConfig
    pair: Pair | None
    """Makes the account's phone scan a QR code; ``None``: a person has to (``botkit pair``)."""
    embedded: Sandbox | None = None
    """The sandbox running in this process, if any (without a data dir its pairings die with it)."""
    control: ControlAPI | None = None


def say(out: TextIO, line: str) -> None:
    """Write one progress line to ``out`` at once."""
    out.write(line + "\n")
    out.flush()


@asynccontextmanager
async def target_of(config: Config, out: TextIO) -> AsyncIterator[Target]:
    """Yield the :class:`Target` of ``config`` (starting the embedded sandbox while it is used).

    Raises ConfigError for ``server: sandbox`` without ``pair_with``, StoreError when the
    embedded sandbox's data dir cannot be made, is in use or cannot be restored, and ClientError
    when an external sandbox's control API fails.
    """
    setting = config.core.server
    phone = config.core.pair_with
    name = config.core.bot.name
    if isinstance(setting, ExternalServer):
        yield await _external(setting, phone, name, out)
    elif setting == "whatsapp":
        yield Target(server_config(setting), None)
    else:
        if phone is None:
            raise config.source.error(
                [(("pair_with",), "the embedded sandbox needs the bot's number")]
            )
        data_dir = sandbox_data_dir(config)
        async with _embedded(data_dir) as sandbox:
            sandbox.ensure_user(phone, name)
            kept = "" if data_dir is None else f", state kept in {_shown(data_dir)}"
            say(out, f"sandbox: {sandbox.ws_url} (control API {sandbox.control_url}{kept})")

            async def scan(code: str) -> object:
                say(out, f"pairing: +{phone} scans the bot's QR code")
                return await sandbox.linker.pair_qr(phone, code)

            server = ServerConfig.from_ready_line(sandbox.ready_line())
            yield Target(server, scan, embedded=sandbox)


def sandbox_data_dir(config: Config) -> Path | None:
    """Return where the embedded sandbox of ``config`` keeps its state, creating it (0700).

    ``sandbox/`` in the store file's folder; ``None`` for a store in memory (the sandbox then
    starts empty and forgets everything when it stops).

    Raises StoreError when the folder cannot be created.
    """
    path = config.core.store.path
    if path == ":memory:":
        return None
    folder = config.resolve(path).parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # as open_store makes it
        (folder / "sandbox").mkdir(mode=0o700, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create the sandbox's folder in {folder}: {error}") from error
    return folder / "sandbox"


def _shown(path: Path) -> Path:
    """Return ``path`` relative to the current directory when it is inside it."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


@asynccontextmanager
async def _embedded(data_dir: Path | None) -> AsyncIterator[Sandbox]:
    """Run a sandbox in this process (keeping its state in ``data_dir``) while the block runs."""
    try:
        sandbox = Sandbox(data_dir=data_dir)
    except (ValueError, OSError) as error:
        raise StoreError(f"the embedded sandbox's data dir: {error}") from None
    async with sandbox:
        yield sandbox


async def _external(setting: ExternalServer, phone: str | None, name: str, out: TextIO) -> Target:
    server = server_config(setting)
    if setting.control_url is None:
        return Target(server, None)
    control = ControlAPI(setting.control_url)
    if phone is None:
        return Target(server, None, control=control)
    await control.ensure_user(phone, name)

    async def scan(code: str) -> object:
        say(out, f"pairing: +{phone} scans the bot's QR code (control API {control.url})")
        return await control.pair_qr(phone, code)

    return Target(server, scan, control=control)
