"""The exit codes of the ``botkit`` command, and how an error becomes one.

Every command returns one of these; ``botkit --help`` shows :data:`EXIT_CODES_HELP`.
"""

from __future__ import annotations

from typing import TextIO

from botkit.errors import BotkitError, ConfigError, PluginError

__all__ = [
    "CONFIG_ERROR",
    "EXIT_CODES_HELP",
    "FAILED",
    "INTERRUPTED",
    "OK",
    "PLUGIN_ERROR",
    "report",
]

OK = 0
"""The command did what was asked (a bot stopped cleanly on Ctrl-C or SIGTERM)."""
FAILED = 1
"""The command could not do it: no connection, login refused, pairing failed, file exists."""
CONFIG_ERROR = 2
"""The configuration (or the command line) is invalid."""
PLUGIN_ERROR = 3
"""A plugin could not be found, imported, registered or configured."""
INTERRUPTED = 130
"""Ctrl-C before the command was under way (while connecting or pairing): 128 + SIGINT."""

EXIT_CODES_HELP = """\
exit codes:
  0  done (a running bot stopped cleanly on Ctrl-C or SIGTERM)
  1  failed: could not connect, log in or pair, or would overwrite a file
  2  invalid configuration or command line
  3  a plugin could not be loaded or configured
  130  interrupted (Ctrl-C) before the bot was running, e.g. while pairing"""


def report(error: BotkitError, err: TextIO) -> int:
    """Write ``error`` to ``err`` as one readable line (no traceback); return its exit code."""
    if isinstance(error, ConfigError):
        err.write(f"botkit: {error}\n")
        return CONFIG_ERROR
    if isinstance(error, PluginError):
        err.write(f"botkit: plugin error: {error}\n")
        return PLUGIN_ERROR
    err.write(f"botkit: failed: {type(error).__name__}: {error}\n")
    return FAILED
