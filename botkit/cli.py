"""The ``botkit`` command line (composition root only: it wires layers together, nothing more)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys

from botkit import __version__


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
    return parser


async def _run_sandbox(host: str, port: int, control_port: int) -> None:
    """Serve the sandbox until SIGINT or SIGTERM."""
    from botkit.server import Sandbox

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with Sandbox(host, port, control_port=control_port) as sandbox:
        sys.stdout.write(json.dumps(sandbox.ready_line()) + "\n")
        sys.stdout.flush()
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "sandbox":
        logging.basicConfig(
            level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
        )
        asyncio.run(_run_sandbox(args.host, args.port, args.control_port))
        return 0
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
