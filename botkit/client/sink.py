"""Where the client's events go: an async callback, or a queue to iterate over.

The client awaits ``sink(event)`` for each event, in order (:data:`EventSink`). An application
that prefers ``async for`` passes an :class:`EventQueue`, which is such a callback and an async
iterator at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from botkit.types.client_events import ClientEvent
from botkit.types.events import (
    ChatStateChanged,
    GroupInfoChanged,
    GroupJoined,
    GroupParticipantsChanged,
    IdentityChanged,
    MessageEdited,
    MessageReceived,
    MessageRevoked,
    PresenceChanged,
    ReactionReceived,
    ReceiptReceived,
    UndecryptableMessage,
)

__all__ = ["EventQueue", "EventSink", "SinkEvent"]

SinkEvent = (
    ClientEvent
    | MessageReceived
    | ReactionReceived
    | MessageRevoked
    | MessageEdited
    | ReceiptReceived
    | UndecryptableMessage
    | PresenceChanged
    | ChatStateChanged
    | GroupParticipantsChanged
    | GroupInfoChanged
    | GroupJoined
    | IdentityChanged
)
"""Everything the client reports: session, message, presence and group events."""

EventSink = Callable[[SinkEvent], Awaitable[None]]
"""The client's event sink: an async callback awaited for each event, in order."""


class EventQueue:
    """An event sink that buffers events for ``async for event in queue``.

    ``maxsize`` bounds the buffer (0: unbounded); a full buffer makes the client wait, which
    slows the connection down rather than losing events. :meth:`close` ends the iteration once
    the buffered events are consumed.
    """

    def __init__(self, maxsize: int = 0) -> None:
        self._queue: asyncio.Queue[SinkEvent | None] = asyncio.Queue(maxsize)
        self._closed = False

    async def __call__(self, event: SinkEvent) -> None:
        await self._queue.put(event)

    def close(self) -> None:
        """End the iteration after the events already buffered (a full buffer included)."""
        if not self._closed:
            self._closed = True
            with contextlib.suppress(asyncio.QueueFull):  # then the reader stops once drained
                self._queue.put_nowait(None)

    def __aiter__(self) -> EventQueue:
        return self

    async def __anext__(self) -> SinkEvent:
        if self._closed and self._queue.empty():
            raise StopAsyncIteration
        event = await self._queue.get()
        if event is None:
            self._queue.put_nowait(None)  # every later iteration ends too
            raise StopAsyncIteration
        return event
