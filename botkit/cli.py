"""The ``botkit`` command line (composition root only: it wires layers together, nothing more)."""

from __future__ import annotations

import argparse
import sys

from botkit import __version__


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for the ``botkit`` command."""
    parser = argparse.ArgumentParser(prog="botkit", description="WhatsApp bots in Python.")
    parser.add_argument("--version", action="version", version=f"botkit {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    parser.parse_args(argv)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
