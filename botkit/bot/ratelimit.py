"""Outbound rate limits applied to everything the bot sends.

A global and a per-chat sliding window (messages per minute), a random pause before each message
(jitter) and optionally a "typing…" state for as long as a person would type. Messages to one chat
leave in the order they were sent; a sender over the limit waits (backpressure), nothing is dropped.
Clock, sleep and randomness are injected so tests run in virtual time.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from botkit.bot.client_api import BotClient
from botkit.types.jid import JID
from botkit.types.message import OutgoingMessage, TextMessage

__all__ = ["OutboundLimiter", "RateLimitedSender", "RateLimits"]

T = TypeVar("T")

_PERIOD = 60.0
_SWEEP_AT = 256  # chats tracked before idle ones are forgotten


@dataclass(frozen=True, slots=True)
class RateLimits:
    """The limits; ``jitter_ms`` is the range of the random pause before each message."""

    per_minute: int = 40
    per_chat_per_minute: int = 12
    jitter_ms: tuple[int, int] = (0, 0)
    typing: bool = False
    typing_chars_per_second: float = 25.0
    max_typing_seconds: float = 4.0


class _Window:
    """A sliding window of reserved send times: at most ``limit`` per minute."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._times: deque[float] = deque()

    def reserve(self, now: float) -> float:
        """Reserve the earliest slot at or after ``now``; return its time."""
        while self._times and self._times[0] <= now - _PERIOD:
            self._times.popleft()
        slot = now
        if len(self._times) >= self._limit:
            slot = max(now, self._times[-self._limit] + _PERIOD)
        self._times.append(slot)
        return slot

    def idle_since(self, now: float) -> bool:
        """Return whether no reservation falls in the minute before ``now``."""
        return not self._times or self._times[-1] <= now - _PERIOD


@dataclass(slots=True)
class _Chat:
    window: _Window
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class OutboundLimiter:
    """Runs send actions under the limits, one chat at a time in order.

    ``clock`` is monotonic seconds, ``sleep`` awaits a duration, ``typing`` shows or clears the
    typing state in a chat (used only when ``limits.typing`` is on).
    """

    def __init__(
        self,
        limits: RateLimits,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        typing: Callable[[JID, bool], Awaitable[None]] | None = None,
    ) -> None:
        self._limits = limits
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._typing = typing
        self._global = _Window(limits.per_minute)
        self._chats: dict[JID, _Chat] = {}

    async def run(self, chat: JID, action: Callable[[], Awaitable[T]], *, chars: int = 0) -> T:
        """Wait for a slot in ``chat`` and globally, then return the result of ``action()``.

        ``chars`` is the length of the text, for the typing simulation. Raises what ``action``
        raises (its slot stays used).
        """
        state = self._chats.get(chat)
        if state is None:
            if len(self._chats) >= _SWEEP_AT:
                self._forget_idle()
            state = self._chats[chat] = _Chat(_Window(self._limits.per_chat_per_minute))
        state.users += 1
        try:
            async with state.lock:
                await self._wait_until(state.window.reserve(self._clock()))
                await self._pause(chat, chars)
                await self._wait_until(self._global.reserve(self._clock()))
                return await action()
        finally:
            state.users -= 1

    async def _pause(self, chat: JID, chars: int) -> None:
        low, high = self._limits.jitter_ms
        if high > 0:
            await self._sleep(self._rng.uniform(low, high) / 1000.0)
        if self._limits.typing and self._typing is not None and chars > 0:
            await self._typing(chat, True)
            typing_time = chars / self._limits.typing_chars_per_second
            await self._sleep(min(typing_time, self._limits.max_typing_seconds))

    async def _wait_until(self, moment: float) -> None:
        delay = moment - self._clock()
        if delay > 0:
            await self._sleep(delay)

    def _forget_idle(self) -> None:
        now = self._clock()
        for chat in [
            c for c, s in self._chats.items() if s.users == 0 and s.window.idle_since(now)
        ]:
            del self._chats[chat]


class RateLimitedSender:
    """The outbound path of the runtime: every message goes through the limiter to the client."""

    def __init__(self, client: BotClient, limiter: OutboundLimiter) -> None:
        self._client = client
        self._limiter = limiter

    async def send(self, to: JID, message: OutgoingMessage) -> str:
        """Send ``message`` to ``to`` within the limits; return the sent message's id.

        Raises ClientError when the client cannot send.
        """
        chars = len(message.text) if isinstance(message, TextMessage) else 0
        return await self._limiter.run(
            to, lambda: self._client.send_message(to, message), chars=chars
        )
