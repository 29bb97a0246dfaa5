"""The ``botkit`` command line (composition root only: it wires layers together, nothing more)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from botkit import __version__
from botkit.cli.signals import until_signal

DEFAULT_CONFIG = "bot.yaml"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for the ``botkit`` command."""
    parser = argparse.ArgumentParser(prog="botkit", description="WhatsApp bots in Python.")
    parser.add_argument("--version", action="version", version=f"botkit {__version__}")
    commands = parser.add_subparsers(dest="command")
    sandbox = commands.add_parser(
        "sandbox",
        help="run a local WhatsApp-compatible server for tests",
        description="Run the sandbox; prints one JSON line with its URLs and root key when ready.",
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="address to listen on")
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
    run = commands.add_parser(
        "run",
        help="run a bot until Ctrl-C",
        description="Run the bot of CONFIG; with `server: sandbox` the sandbox runs in-process.",
    )
    run.add_argument("config", nargs="?", default=DEFAULT_CONFIG, help="the YAML configuration")
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
        sys.stdout.write(json.dumps(sandbox.ready_line()) + "\n")
        sys.stdout.flush()
        await until_signal()
    return 0


def _log_to_stderr(level: int) -> None:
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "sandbox":
        _log_to_stderr(logging.INFO)
        return asyncio.run(_run_sandbox(args.host, args.port, args.control_port, args.data))
    if args.command == "run":
        from botkit.cli.run import run_command

        _log_to_stderr(logging.WARNING)
        return asyncio.run(run_command(Path(args.config)))
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
