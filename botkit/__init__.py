"""botkit: WhatsApp bots in Python that speak the multi-device protocol themselves.

Public names are imported lazily (PEP 562) so that ``import botkit.core`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "JID": "botkit.types.jid",
    "Node": "botkit.core.binary",
    "BotkitError": "botkit.errors",
    "Context": "botkit.bot.context",
    "Stop": "botkit.bot.markers",
    "command": "botkit.bot.commands",
    "hookimpl": "botkit.bot.markers",
    "Arg": "botkit.bot.arguments",
    "ArgType": "botkit.bot.arguments",
    "Permission": "botkit.bot.permissions",
}

__all__ = [
    "JID",
    "Arg",
    "ArgType",
    "BotkitError",
    "Context",
    "Node",
    "Permission",
    "Stop",
    "__version__",
    "command",
    "hookimpl",
]

if TYPE_CHECKING:
    from botkit.bot.arguments import Arg, ArgType
    from botkit.bot.commands import command
    from botkit.bot.context import Context
    from botkit.bot.markers import Stop, hookimpl
    from botkit.bot.permissions import Permission
    from botkit.core.binary import Node
    from botkit.errors import BotkitError
    from botkit.types.jid import JID


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'botkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
