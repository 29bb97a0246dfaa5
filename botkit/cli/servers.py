"""Where a command's bot connects, by the config's ``server:`` section.

* ``sandbox``: a sandbox started in this process with an empty world; the ``pair_with``
  account and a demo user are created, and the bot pairs itself through the sandbox's linker;
* ``{url, root_public_key, control_url}``: a sandbox running elsewhere; with ``pair_with`` and a
  ``control_url`` the bot pairs itself through that sandbox's control API;
* ``whatsapp``: WhatsApp itself; pairing is a person scanning the QR code (``botkit pair``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TextIO

from botkit.bot.config import Config, ExternalServer
from botkit.bot.launch import Pair, server_config
from botkit.cli.control_api import ControlAPI
from botkit.client import ServerConfig
from botkit.server import Sandbox

__all__ = ["DEMO_PHONES", "Target", "say", "target_of"]

DEMO_PHONES = ("15550002222", "15550003333")
"""The embedded sandbox's demo user: the first of these numbers that is not the bot's own."""


@dataclass(frozen=True, slots=True)
class Target:
    """A server to connect to, and how the bot's device gets paired there."""

    server: ServerConfig
    pair: Pair | None
    """Makes the account's phone scan a QR code; ``None``: a person has to (``botkit pair``)."""
    embedded: Sandbox | None = None
    """The sandbox running in this process, if any (its pairings die with it)."""
    control: ControlAPI | None = None
    demo_phone: str | None = None


def say(out: TextIO, line: str) -> None:
    """Write one progress line to ``out`` at once."""
    out.write(line + "\n")
    out.flush()


@asynccontextmanager
async def target_of(config: Config, out: TextIO) -> AsyncIterator[Target]:
    """Yield the :class:`Target` of ``config`` (starting the embedded sandbox while it is used).

    Raises ConfigError for ``server: sandbox`` without ``pair_with``, and ClientError when an
    external sandbox's control API fails.
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
        async with Sandbox() as sandbox:
            sandbox.create_user(phone, name)
            demo = next(number for number in DEMO_PHONES if number != phone)
            sandbox.create_user(demo, "Demo user")
            say(out, f"sandbox: {sandbox.ws_url} (control API {sandbox.control_url})")

            async def scan(code: str) -> object:
                say(out, f"pairing: +{phone} scans the bot's QR code")
                return await sandbox.linker.pair_qr(phone, code)

            server = ServerConfig.from_ready_line(sandbox.ready_line())
            yield Target(server, scan, embedded=sandbox, demo_phone=demo)


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
