"""Waiting for the user to stop a long-running command."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable

__all__ = ["announce_then_wait", "until_signal"]


async def until_signal() -> None:
    """Return on SIGINT or SIGTERM (the handlers are removed again)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)


async def announce_then_wait(
    stop: Callable[[], Awaitable[None]], announce: Callable[[], None]
) -> None:
    """Await ``stop()``, calling ``announce()`` once its first step ran.

    :func:`until_signal` installs its handlers in its first step, so a signal sent as soon as the
    announcement (a prompt, a ready line) is read is handled, not fatal.
    """
    waiting = asyncio.ensure_future(stop())
    await asyncio.sleep(0)  # runs the first step of ``waiting``
    announce()
    await waiting
