"""``botkit run [CONFIG]``: run a bot until SIGINT or SIGTERM.

Where it connects and how it pairs follow the config's ``server:`` (:mod:`botkit.cli.servers`).
On the embedded sandbox, a pairing left by an earlier run is wiped (that sandbox is gone) and the
control API's address and a command to talk to the bot are printed.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from botkit.bot.config import Config, load_config
from botkit.bot.launch import open_store, paired_jid, running_bot
from botkit.cli.exits import OK, report
from botkit.cli.servers import Target, say, target_of
from botkit.cli.signals import until_signal
from botkit.errors import BotkitError, ClientError
from botkit.store.base import AccountStore
from botkit.types.jid import JID

__all__ = ["run_command"]


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
    store = await open_store(config)
    try:
        account = await store.open_account(config.core.account)
        if target.embedded is not None:
            await _forget_old_pairing(account, out)
        if target.pair is None and await paired_jid(account) is None:
            raise ClientError(
                f"account {config.core.account!r} is not paired yet: "
                f"run `botkit pair {config.source.file}` first"
            )
        say(out, f"connecting to {target.server.url}")
        async with running_bot(config, account, server=target.server, pair=target.pair) as bot:
            own = bot.client.own_jid or bot.connected.jid.to_non_ad()
            say(out, f"bot: {own} (device {bot.connected.jid}) is running")
            if target.embedded is not None and target.demo_phone is not None:
                _show_demo(out, target.embedded.control_url, target.demo_phone, own, config)
            say(out, "press Ctrl-C to stop")
            await stop()
            say(out, "stopping")
    finally:
        await store.close()


async def _forget_old_pairing(account: AccountStore, out: TextIO) -> None:
    """Wipe a pairing left by an earlier run: a new embedded sandbox does not know the device."""
    if await account.load_credentials() is not None:
        say(out, f"store: account {account.account!r} was paired with an earlier sandbox: wiped")
        await account.wipe()


def _show_demo(out: TextIO, control_url: str, demo: str, bot: JID, config: Config) -> None:
    prefix = config.core.bot.prefixes[0]
    body = json.dumps({"from": demo, "to": str(bot), "text": f"{prefix}ping"})
    say(out, f"demo user: +{demo}; send it a command as that user:")
    say(
        out,
        f"  curl -s -X POST {control_url}/control/messages "
        f"-H 'Content-Type: application/json' -d {shlex.quote(body)}",
    )
    say(out, "read the demo user's inbox (the bot's answers):")
    say(out, f"  curl -s {control_url}/control/inbox/{demo}")
