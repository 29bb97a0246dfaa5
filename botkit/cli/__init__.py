"""The ``botkit`` command line (composition root only: it wires layers together, nothing more).

Each sub-command lives in its own module (``run``, ``pair``, ``check``, ``scaffold``); exit codes
are :mod:`botkit.cli.exits`'.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from botkit import __version__
from botkit.cli.exits import EXIT_CODES_HELP, INTERRUPTED
from botkit.cli.signals import announce_then_wait, until_signal

DEFAULT_CONFIG = "bot.yaml"


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help: str,
    description: str,
    *,
    takes_config: bool = True,
) -> argparse.ArgumentParser:
    """Add sub-command ``name`` (with a CONFIG argument), its help ending with the exit codes."""
    parser = commands.add_parser(
        name,
        help=help,
        description=description,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if takes_config:
        parser.add_argument(
            "config",
            nargs="?",
            default=DEFAULT_CONFIG,
            help=f"the YAML configuration (default: {DEFAULT_CONFIG})",
        )
    return parser


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for the ``botkit`` command."""
    parser = argparse.ArgumentParser(
        prog="botkit",
        description="WhatsApp bots in Python.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"botkit {__version__}")
    commands = parser.add_subparsers(dest="command")
    sandbox = commands.add_parser(
        "sandbox",
        help="run a local WhatsApp-compatible server for tests",
        description="Run the sandbox; prints one JSON line with its URLs and root key when ready.",
    )
    sandbox.add_argument(
        "--host",
        default="127.0.0.1",
        help="address the WebSocket and media servers listen on (the control API stays on"
        " loopback)",
    )
    sandbox.add_argument("--port", type=int, default=0, help="WebSocket port (0: any free port)")
    sandbox.add_argument(
        "--control-port", type=int, default=0, help="control API port (0: any free port)"
    )
    sandbox.add_argument(
        "--data",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep the sandbox's state in DIR across restarts (default: in memory only)",
    )
    _command(
        commands,
        "run",
        "run a bot until Ctrl-C",
        "Run the bot of CONFIG; with `server: sandbox` the sandbox runs in-process.",
    )
    pair = _command(
        commands,
        "pair",
        "link the bot's account: QR code in the terminal, or a pairing code",
        "Link the account of CONFIG as a companion device and store the pairing in the "
        "configured store. Shows a QR code to scan with the phone's 'Linked devices', or "
        "with --phone an 8-character code to type there. Exits once paired.",
    )
    pair.add_argument("--phone", help="pair by phone number (+15550001111) with a code, not a QR")
    new = commands.add_parser("new", help="scaffold something new")
    what = new.add_subparsers(dest="kind", required=True)
    plugin = _command(
        what,
        "plugin",
        "scaffold a plugin package",
        "Write DIR/NAME/: a plugin module with a command and a hook, its config model and a "
        "test using botkit.testing. Never overwrites anything.",
        takes_config=False,
    )
    plugin.add_argument("name", help="the plugin's name: lowercase letters, digits and _")
    plugin.add_argument(
        "--dir", default="plugins", help="the folder to create it in (default: plugins)"
    )
    _command(
        commands,
        "check",
        "validate a configuration and its plugins without connecting",
        "Load CONFIG and every enabled plugin, and validate their configuration.",
    )
    return parser


async def _run_sandbox(host: str, port: int, control_port: int, data: Path | None) -> int:
    """Serve the sandbox until SIGINT or SIGTERM (keeping its state in ``data`` if given).

    Returns the exit code: 2 when the data directory is in use or cannot be restored.
    """
    from botkit.server import Sandbox

    try:
        sandbox = Sandbox(host, port, control_port=control_port, data_dir=data)
    except ValueError as exc:
        sys.stderr.write(f"botkit sandbox: {exc}\n")
        return 2
    async with sandbox:
        line = json.dumps(sandbox.ready_line()) + "\n"
        await announce_then_wait(until_signal, lambda: _print(line))
    return 0


def _print(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _log_to_stderr(level: int) -> None:
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")


def _until_done(command: Coroutine[Any, Any, int], name: str) -> int:
    """Run ``command``; Ctrl-C before it installed its own handler is one line and exit 130.

    (``asyncio.run`` cancels the command on SIGINT, so its stores and sandboxes are closed.)
    """
    try:
        return asyncio.run(command)
    except KeyboardInterrupt:
        sys.stderr.write(f"botkit {name}: interrupted\n")
        return INTERRUPTED


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code (see ``botkit --help``)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "sandbox":
        _log_to_stderr(logging.INFO)
        return _until_done(
            _run_sandbox(args.host, args.port, args.control_port, args.data), "sandbox"
        )
    if args.command == "run":
        from botkit.cli.run import run_command

        _log_to_stderr(logging.WARNING)
        return _until_done(run_command(Path(args.config)), "run")
    if args.command == "pair":
        from botkit.cli.pair import pair_command

        _log_to_stderr(logging.WARNING)
        return _until_done(pair_command(Path(args.config), phone=args.phone), "pair")
    if args.command == "check":
        from botkit.cli.check import check_command

        return check_command(Path(args.config))
    if args.command == "new":
        from botkit.cli.scaffold import new_plugin_command

        return new_plugin_command(args.name, Path(args.dir))
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
