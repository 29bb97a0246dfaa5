"""``botkit check CONFIG``: validate a configuration and its plugins without connecting.

Loads the YAML file (every core section), then finds, imports and registers every enabled
plugin, checks their hooks and validates each plugin's section against its config model.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from botkit.bot.config import ExternalServer, load_config
from botkit.bot.manager import PluginManager
from botkit.cli.exits import OK, report
from botkit.cli.servers import say
from botkit.errors import BotkitError

__all__ = ["check_command"]


def check_command(path: Path, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Check the configuration at ``path``; return the exit code (:mod:`botkit.cli.exits`).

    Writes a summary to ``out`` when it is valid, one readable error to ``err`` otherwise.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        config = load_config(path)
        manager = PluginManager()
        manager.load_all(config)
    except BotkitError as error:
        return report(error, err)
    core = config.core
    server = core.server
    where = f"external sandbox {server.url}" if isinstance(server, ExternalServer) else server
    say(out, f"{path}: valid")
    say(out, f"  account {core.account!r}, store {core.store.path}, server {where}")
    for name, plugin in manager.plugins.items():
        commands = ", ".join(c.name for c in plugin.commands) or "no commands"
        configured = "configured" if plugin.config is not None else "no config model"
        say(out, f"  plugin {name} ({plugin.origin}): {commands}; {configured}")
    return OK
