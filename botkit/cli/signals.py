"""Waiting for the user to stop a long-running command."""

from __future__ import annotations

import asyncio
import signal

__all__ = ["until_signal"]


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
