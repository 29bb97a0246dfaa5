"""``botkit pair [CONFIG] [--phone NUMBER]``: link the bot's account as a companion device.

It connects to the config's server with the configured store and account, shows each QR code
in the terminal (or, with ``--phone``, the 8-character code to type on the phone), and exits
once the device is paired and logged in: the pairing is then in the store, for ``botkit run``.
On an external sandbox with ``pair_with``, the sandbox's phone scans the QR code by itself.
An account already paired only logs in, to show the pairing still works.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from botkit.bot.client_adapter import ClientAdapter
from botkit.bot.config import Config, load_config
from botkit.bot.launch import opened_account, paired_jid
from botkit.cli.exits import OK, report
from botkit.cli.servers import Target, say, target_of
from botkit.cli.terminal_qr import render_qr
from botkit.client import SinkEvent
from botkit.errors import BotkitError, ClientError, ConfigError
from botkit.types.client_events import (
    Connected,
    Disconnected,
    LoggedOut,
    Paired,
    PairingCodeShown,
    QRCodeShown,
)

__all__ = ["PAIR_TIMEOUT", "pair_command"]

PAIR_TIMEOUT = 300.0
"""How long ``botkit pair`` waits for the phone (seconds)."""


async def pair_command(
    path: Path,
    *,
    phone: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    timeout: float = PAIR_TIMEOUT,
    **options: object,
) -> int:
    """Pair the account of the config at ``path``; return the exit code (:mod:`botkit.cli.exits`).

    ``phone`` pairs by phone-number code instead of QR. ``options`` go to the
    :class:`~botkit.client.Client` (``timing``...).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        config = load_config(path)
        if config.core.server == "sandbox":
            problem = "the embedded sandbox pairs the bot itself in `botkit run` (pair_with)"
            raise config.source.error([(("server",), problem)])
        number = None if phone is None else _digits(phone)
        async with target_of(config, out) as target:
            await _pair(config, target, number, out, timeout, options)
    except BotkitError as error:
        return report(error, err)
    return OK


def _digits(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not 7 <= len(digits) <= 15 or digits[0] == "0" or phone.strip("+0123456789 -().") != "":
        raise ConfigError(f"--phone: expected a phone number like +15550001111, got {phone!r}")
    return digits


async def _pair(
    config: Config,
    target: Target,
    phone: str | None,
    out: TextIO,
    timeout: float,
    options: dict[str, object],
) -> None:
    async with opened_account(config) as account:
        already = await paired_jid(account)
        if already is not None:
            say(out, f"account {config.core.account!r} is paired already as {already}")
        if phone is not None and target.control is not None:
            await target.control.ensure_user(phone, config.core.bot.name)
        client = ClientAdapter(account, server=target.server, **options)
        try:
            async with asyncio.timeout(timeout):
                connected = await _link(client, target, phone if already is None else None, out)
        except TimeoutError:
            raise ClientError(f"not paired within {timeout:g} s") from None
        finally:
            await client.close()
        say(out, f"logged in as {connected.jid}; the pairing is stored in {_where(config)}")


async def _link(client: ClientAdapter, target: Target, phone: str | None, out: TextIO) -> Connected:
    kinds = (QRCodeShown, PairingCodeShown, Paired, Connected, Disconnected, LoggedOut)
    events = client.subscribe(*kinds)
    say(out, f"connecting to {target.server.url}")
    await client.connect()
    if phone is not None:
        code = await client.pair_phone(phone)
        _show_code(out, code, phone, target)
    while True:
        event = await events.get()
        if isinstance(event, Connected):
            return event
        _progress(event, phone, target, out)
        if isinstance(event, QRCodeShown) and phone is None and target.pair is not None:
            await target.pair(event.code)


def _progress(event: SinkEvent, phone: str | None, target: Target, out: TextIO) -> None:
    """Report one pairing event to the user; raise ClientError when pairing cannot go on."""
    if isinstance(event, QRCodeShown) and phone is None:
        if target.pair is not None:
            say(out, "QR code received: the sandbox's phone scans it")
            return
        say(out, "scan this QR code with WhatsApp: Settings > Linked devices > Link a device")
        out.write(render_qr(event.code) + "\n")
        say(out, "(a new code replaces it in a while if it is not scanned)")
    elif isinstance(event, Paired):
        say(out, f"paired as {event.jid}; logging in")
    elif isinstance(event, LoggedOut):
        raise ClientError(f"the server unlinked this device ({event.reason.value})")
    elif isinstance(event, Disconnected) and not event.reconnecting:
        raise ClientError(f"disconnected: {event.reason.value} {event.detail}".rstrip())


def _show_code(out: TextIO, code: str, phone: str, target: Target) -> None:
    shown = f"{code[:4]}-{code[4:]}"
    say(out, f"pairing code for +{phone}: {shown}")
    say(out, "on the phone: Linked devices > Link a device > Link with phone number instead")
    if target.control is not None:
        say(out, f"(on this sandbox: POST {target.control.url}/control/pair-code)")


def _where(config: Config) -> str:
    path = config.core.store.path
    where = "memory (lost on exit)" if path == ":memory:" else str(config.resolve(path))
    return f"{where}, account {config.core.account!r}"
