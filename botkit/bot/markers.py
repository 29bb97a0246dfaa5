"""The markers plugins use: ``hookimpl`` for hook implementations, ``Stop`` to end propagation."""

from __future__ import annotations

import enum
from typing import Final, Literal

import pluggy

__all__ = ["PROJECT", "Propagation", "Stop", "hookimpl", "hookspec"]

PROJECT: Final = "botkit"

hookspec: Final = pluggy.HookspecMarker(PROJECT)
"""Marks the hook specifications of :mod:`botkit.bot.hookspecs`."""

hookimpl: Final = pluggy.HookimplMarker(PROJECT)
"""Marks a plugin function as the implementation of the hook it is named after.

``@hookimpl(tryfirst=True)`` / ``@hookimpl(trylast=True)`` move it to the front or the back.
"""


class Propagation(enum.Enum):
    """What an event hook returns to end propagation (returning ``None`` lets it go on)."""

    STOP = "stop"


Stop: Final[Literal[Propagation.STOP]] = Propagation.STOP
"""Return this from an event hook to keep the event from the plugins after yours."""
