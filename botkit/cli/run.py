"""``botkit run [CONFIG]``: run a bot until SIGINT or SIGTERM.

Where it connects and how it pairs follow the config's ``server:`` (:mod:`botkit.cli.servers`).
On the embedded sandbox, the store and the sandbox are first made to agree on the bot's device
(:func:`settle_pairing`); once the bot runs, the demo world is made or found and printed
(:mod:`botkit.cli.demo`).
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from botkit.bot.config import Config, load_config
from botkit.bot.launch import opened_account, paired_jid, running_bot
from botkit.cli.demo import prepare_demo, show_demo
from botkit.cli.exits import OK, report
from botkit.cli.servers import Target, say, target_of
from botkit.cli.signals import announce_then_wait, until_signal
from botkit.errors import BotkitError, ClientError
from botkit.server import Sandbox
from botkit.store.base import AccountStore
from botkit.types.jid import JID

__all__ = ["run_command", "settle_pairing"]


async def run_command(
    path: Path,
    out: TextIO | None = None,
    err: TextIO | None = None,
    *,
    stop: Callable[[], Awaitable[None]] = until_signal,
) -> int:
    """Run the bot configured in ``path`` until ``stop()`` returns; return the exit code.

    Progress lines go to ``out`` (default: stdout), errors to ``err`` (default: stderr); the
    exit codes are :mod:`botkit.cli.exits`'.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        config = load_config(path)
        async with target_of(config, out) as target:
            await _run(config, target, out, stop)
    except BotkitError as error:
        return report(error, err)
    return OK


async def _run(
    config: Config, target: Target, out: TextIO, stop: Callable[[], Awaitable[None]]
) -> None:
    async with opened_account(config) as account:
        if target.embedded is not None and config.core.pair_with is not None:
            await settle_pairing(account, target.embedded, config.core.pair_with, out)
        if target.pair is None and await paired_jid(account) is None:
            raise ClientError(
                f"account {config.core.account!r} is not paired yet: "
                f"run `botkit pair {config.source.file}` first"
            )
        say(out, f"connecting to {target.server.url}")
        async with running_bot(config, account, server=target.server, pair=target.pair) as bot:
            own = bot.client.own_jid or bot.connected.jid.to_non_ad()
            say(out, f"bot: {own} (device {bot.connected.jid}) is running")
            if target.embedded is not None:
                show_demo(out, await prepare_demo(target.embedded, config, own))
            await announce_then_wait(stop, lambda: say(out, "press Ctrl-C to stop"))
            say(out, "stopping")


async def settle_pairing(account: AccountStore, sandbox: Sandbox, phone: str, out: TextIO) -> None:
    """Make ``account`` and the embedded ``sandbox`` agree on the bot's device (of ``phone``).

    A pairing the sandbox does not know is wiped, so that the bot pairs again: the sandbox keeps
    no data dir (it starts empty each time), its data dir is new (it was deleted), or the
    pairing is of another number than ``pair_with``. A device of the bot's account that the
    store has no keys for (the store was deleted) is unlinked, so that nothing is queued for a
    device that never comes back.

    Raises:
        LookupError: the sandbox has no account for ``phone``.
        StoreError: the store could not be read or wiped.
    """
    credentials = await account.load_credentials()
    kept: JID | None = None
    if credentials is not None and credentials.jid is not None:
        paired = JID.parse(credentials.jid)
        why = _unknown_pairing(sandbox, paired, credentials.noise_key.public, phone)
        if why is None:
            kept = paired
        else:
            say(out, f"store: account {account.account!r} was paired as {paired}, {why}: wiped")
            await account.wipe()
    for linked in sandbox.devices(phone)[1:]:  # the primary phone comes first
        stale = JID.parse(linked)
        if stale != kept:
            await sandbox.unlink(stale)
            say(out, f"sandbox: unlinked {stale}, a device of the bot the store has no keys for")


def _unknown_pairing(sandbox: Sandbox, paired: JID, noise_key: bytes, phone: str) -> str | None:
    """Return why ``sandbox`` does not know the device ``paired`` of the store; None if it does."""
    if paired.user != phone:
        return f"not pair_with +{phone}"
    device = sandbox.world.device(paired)
    if device is not None and device.noise_key == noise_key:
        return None
    if sandbox.persistence is None:
        return "with an earlier sandbox, which kept no data"
    return "a device the sandbox's data dir does not know (a new data dir?)"
