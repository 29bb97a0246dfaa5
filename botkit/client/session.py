"""One connection's life: read events until it ends, and the background tasks tied to it.

A :class:`Session` wraps an open :class:`~botkit.client.transport.Transport`. :meth:`run` hands
every node to the router until the server ends the stream (``<failure>``, ``<stream:error>``, a
close) or someone calls :meth:`end`; then it cancels the session's tasks, closes the transport
and returns the :class:`~botkit.client.supervisor.Ending`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from botkit.client.requests import NodeHandler
from botkit.client.supervisor import Ending, failure_ending, stream_error_ending
from botkit.client.transport import Transport
from botkit.core.binary import Node
from botkit.core.connection import ConnectionClosed, NodeReceived, StreamError
from botkit.errors import NotConnected
from botkit.types.client_events import DisconnectReason

__all__ = ["Session"]

log = logging.getLogger(__name__)


class Session:
    """The current connection; ``established`` once the server accepted our login."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._ending: Ending | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closer: asyncio.Task[None] | None = None
        self._reader: asyncio.Task[Any] | None = None
        self.established = False

    async def send(self, node: Node) -> None:
        """Send ``node``.

        Raises:
            NotConnected: the connection is closing or closed.
        """
        if self._closer is not None:
            raise NotConnected("the connection is closing")
        await self._transport.send(node)

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``work`` beside the read loop; it is cancelled when the session ends.

        Work that waits for IQ answers must run here, never inside a node handler: the answer
        is read by the loop the handler would be blocking.
        """
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        exc = None if task.cancelled() else task.exception()
        if exc is not None and not isinstance(exc, NotConnected):
            log.error("session task %s failed", task.get_name(), exc_info=exc)

    def end(self, ending: Ending) -> None:
        """End the session for ``ending`` (the first reason given wins); returns at once.

        Called while a node is being handled, the connection closes once that handling is done
        (so the handler's answer still goes out); called from elsewhere, it closes now.
        """
        if self._ending is not None:
            return
        self._ending = ending
        if asyncio.current_task() is not self._reader:
            self._closer = asyncio.create_task(self._transport.close())

    async def run(self, dispatch: NodeHandler) -> Ending:
        """Dispatch incoming nodes until the session ends; return how it ended."""
        self._reader = asyncio.current_task()
        try:
            while self._ending is None:
                event = await self._transport.receive()
                if isinstance(event, NodeReceived):
                    if event.node.tag == "failure":
                        self.end(failure_ending(event.node))
                    else:
                        await self._dispatch(dispatch, event.node)
                elif isinstance(event, StreamError):
                    self.end(stream_error_ending(event))
                elif isinstance(event, ConnectionClosed):
                    self.end(Ending(DisconnectReason.NETWORK, "the connection closed"))
        finally:
            await self._close()
        assert self._ending is not None
        return Ending(
            self._ending.reason, self._ending.detail, self._ending.logout, self.established
        )

    async def _dispatch(self, dispatch: NodeHandler, node: Node) -> None:
        try:
            await dispatch(node)
        except NotConnected as exc:
            self.end(Ending(DisconnectReason.NETWORK, str(exc)))

    async def _close(self) -> None:
        if self._ending is None:
            self._ending = Ending(DisconnectReason.SHUTDOWN, "the client stopped")
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._closer is None:
            self._closer = asyncio.create_task(self._transport.close())
        await self._closer
