"""``botkit run [CONFIG]``: run a bot until SIGINT or SIGTERM.

With ``server: sandbox`` the sandbox runs in this process: it starts with an empty world, so the
``pair_with`` account and a demo user are created, and the bot pairs itself with its own QR code.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import TextIO

from botkit.bot.config import Config, load_config
from botkit.bot.launch import open_store, running_bot
from botkit.cli.signals import until_signal
from botkit.client import ServerConfig
from botkit.errors import BotkitError, ConfigError
from botkit.server import Sandbox
from botkit.store.base import AccountStore
from botkit.types.jid import JID

__all__ = ["DEMO_PHONES", "run_command"]

DEMO_PHONES = ("15550002222", "15550003333")
"""The demo user's phone number: the first one that is not the bot's own."""


async def run_command(path: Path, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the bot configured in ``path`` until SIGINT or SIGTERM; return the exit code.

    Progress lines go to ``out`` (default: stdout), errors to ``err`` (default: stderr).

    Returns 0 after a clean stop, 2 for a configuration the command cannot run (the message goes
    to ``err``), 1 when the bot failed to start or to log in.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        config = load_config(path)
        if config.core.server != "sandbox":
            raise ConfigError(
                f"{path}: server: `botkit run` supports only the embedded sandbox yet "
                "(server: sandbox)"
            )
        phone = config.core.pair_with
        if phone is None:
            raise ConfigError(f"{path}: pair_with: the embedded sandbox needs the bot's number")
        return await _on_sandbox(config, phone, out)
    except ConfigError as error:
        err.write(f"botkit: {error}\n")
        return 2
    except BotkitError as error:
        err.write(f"botkit: the bot could not start: {type(error).__name__}: {error}\n")
        return 1


async def _on_sandbox(config: Config, phone: str, out: TextIO) -> int:
    store = await open_store(config)
    try:
        account = await store.open_account(config.core.account)
        await _forget_old_pairing(account, out)
        async with Sandbox() as sandbox:
            bot_user = sandbox.create_user(phone, config.core.bot.name)
            demo = next(number for number in DEMO_PHONES if number != phone)
            sandbox.create_user(demo, "Demo user")
            _say(out, f"sandbox: {sandbox.ws_url} (control API {sandbox.control_url})")

            async def scan(code: str) -> object:
                _say(out, f"pairing: +{phone} scans the bot's QR code")
                return await sandbox.linker.pair_qr(phone, code)

            server = ServerConfig.from_ready_line(sandbox.ready_line())
            async with running_bot(config, account, server=server, pair=scan) as bot:
                _say(
                    out,
                    f"bot: {bot_user['jid']} (LID {bot_user['lid']}, device {bot.connected.jid})",
                )
                _show_demo(out, sandbox.control_url, demo, JID.parse(bot_user["jid"]), config)
                await until_signal()
                _say(out, "stopping")
    finally:
        await store.close()
    return 0


async def _forget_old_pairing(account: AccountStore, out: TextIO) -> None:
    """Wipe a pairing left by an earlier run: a new embedded sandbox does not know the device."""
    if await account.load_credentials() is not None:
        _say(out, f"store: account {account.account!r} was paired with an earlier sandbox: wiped")
        await account.wipe()


def _show_demo(out: TextIO, control_url: str, demo: str, bot: JID, config: Config) -> None:
    prefix = config.core.bot.prefixes[0]
    body = json.dumps({"from": demo, "to": str(bot), "text": f"{prefix}ping"})
    _say(out, f"demo user: +{demo}; send it a command as that user:")
    _say(
        out,
        f"  curl -s -X POST {control_url}/control/messages "
        f"-H 'Content-Type: application/json' -d {shlex.quote(body)}",
    )
    _say(out, "read the demo user's inbox (the bot's answers):")
    _say(out, f"  curl -s {control_url}/control/inbox/{demo}")
    _say(out, "press Ctrl-C to stop")


def _say(out: TextIO, line: str) -> None:
    out.write(line + "\n")
    out.flush()
