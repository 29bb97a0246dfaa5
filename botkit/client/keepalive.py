"""Keep-alive (PROTOCOL.md §14.3): a ``w:p`` ping every 20-30 s, each answered within 10 s.

Any answer counts, an IQ error included. After pings have failed for longer than
``max_silence`` (3 minutes) since the last answer, the connection is declared dead so the
supervisor reconnects. The clock, the sleep and the random source are injectable.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from botkit.errors import IQError, IQTimeout, NotConnected

__all__ = ["KeepAlive", "KeepAliveTiming"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KeepAliveTiming:
    """Seconds: the ping interval range, the answer deadline and the longest failing spell."""

    interval: tuple[float, float] = (20.0, 30.0)
    deadline: float = 10.0
    max_silence: float = 180.0


class KeepAlive:
    """Pings the server while a connection lives; calls ``on_dead`` once it stops answering.

    ``ping(deadline)`` sends one ``w:p`` IQ and returns its answer (raising IQTimeout when none
    comes within ``deadline`` seconds).
    """

    def __init__(
        self,
        ping: Callable[[float], Awaitable[object]],
        on_dead: Callable[[str], None],
        *,
        timing: KeepAliveTiming = KeepAliveTiming(),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        random: Callable[[], float] = random.random,
    ) -> None:
        self._ping = ping
        self._on_dead = on_dead
        self._timing = timing
        self._clock = clock
        self._sleep = sleep
        self._random = random
        self.answered = 0
        """How many pings were answered (over the client's life)."""

    async def run(self) -> None:
        """Ping until the connection is declared dead or closes (run it as a task)."""
        low, high = self._timing.interval
        last_answer = self._clock()
        while True:
            await self._sleep(low + (high - low) * self._random())
            try:
                await self._ping(self._timing.deadline)
            except IQError:
                pass  # an error answer is still an answer: the server is alive
            except IQTimeout:
                silence = self._clock() - last_answer
                log.info("keep-alive ping unanswered (%.1f s since the last answer)", silence)
                if silence > self._timing.max_silence:
                    self._on_dead(f"no answer to keep-alive pings for {silence:.1f} s")
                    return
                continue
            except NotConnected:
                return
            last_answer = self._clock()
            self.answered += 1
