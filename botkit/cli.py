"""The ``botkit`` command line (composition root only: it wires layers together, nothing more)."""

from __future__ import annotations

import argparse
import sys

from botkit import __version__


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for the ``botkit`` command."""
    parser = argparse.ArgumentParser(prog="botkit", description="WhatsApp bots in Python.")
    parser.add_argument("--version", action="version", version=f"botkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        "wire-demo",
        help="handshake a client and a server Connection over loopback and exchange a ping",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "wire-demo":
        import asyncio

        from botkit.server.wire_demo import run_demo

        asyncio.run(run_demo(out=sys.stdout))
        return 0
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
