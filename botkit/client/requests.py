"""IQ requests and the routing of incoming nodes by tag (PROTOCOL.md §10.9, Appendix B).

:class:`Requests` sends ``<iq>`` stanzas with unique ids and resolves each with its answer:
the result node, :class:`~botkit.errors.IQError` for ``type="error"``, or
:class:`~botkit.errors.IQTimeout`. :class:`Router` hands every incoming node to the service that
registered for its tag (server IQs by their child's tag, notifications by their ``type``),
answers server IQs and acknowledges notifications.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Literal

from botkit.core.binary import Node
from botkit.core.stanza import ack, iq, request_id, result_payload
from botkit.errors import IQTimeout, NotConnected
from botkit.types.jid import JID, SERVER_JID

__all__ = [
    "DEFAULT_IQ_TIMEOUT",
    "IQHandler",
    "NodeHandler",
    "Requests",
    "Router",
    "Send",
    "error_answer",
    "is_server",
    "result_answer",
]

log = logging.getLogger(__name__)

DEFAULT_IQ_TIMEOUT = 75.0

Send = Callable[[Node], Awaitable[None]]
"""Sends a node on the current connection; raises NotConnected when there is none."""
NodeHandler = Callable[[Node], Awaitable[None]]
"""Handles an incoming node."""
IQHandler = Callable[[Node], Awaitable[Node]]
"""Handles a server ``get``/``set`` IQ and returns the complete answer (result or error IQ)."""


def _id(node: Node) -> str:
    value = node.attrs.get("id", "")
    return value if isinstance(value, str) else str(value)


class Requests:
    """IQs we send and wait for, across connections; ids stay unique for the client's life.

    ``prefix`` starts every id (:func:`~botkit.core.stanza.request_id_prefix`);
    ``timeout`` is the default answer deadline in seconds.
    """

    def __init__(self, send: Send, *, prefix: str, timeout: float = DEFAULT_IQ_TIMEOUT) -> None:
        self._send = send
        self._prefix = prefix
        self._counter = itertools.count(1)
        self._timeout = timeout
        self._pending: dict[str, asyncio.Future[Node]] = {}

    def next_id(self) -> str:
        """Return a fresh stanza id."""
        return request_id(self._prefix, next(self._counter))

    async def request(self, build: Callable[[str], Node], *, timeout: float | None = None) -> Node:
        """Send the IQ ``build(id)`` returns for a fresh id; return the result IQ node.

        Raises:
            IQError: the server answered ``type="error"`` (its code and text).
            IQTimeout: no answer within ``timeout`` seconds (the client default if None).
            NotConnected: there is no connection, or it closed before the answer came.
            DecodeError: the answer is neither a result nor an error.
        """
        iq_id = self.next_id()
        waiter: asyncio.Future[Node] = asyncio.get_running_loop().create_future()
        self._pending[iq_id] = waiter
        try:
            await self._send(build(iq_id))
            answer = await asyncio.wait_for(waiter, self._timeout if timeout is None else timeout)
        except TimeoutError as exc:
            raise IQTimeout(f"no answer to IQ {iq_id}") from exc
        finally:
            self._pending.pop(iq_id, None)
        return result_payload(answer)

    async def query(
        self,
        xmlns: str,
        kind: Literal["get", "set"],
        content: Sequence[Node] = (),
        *,
        to: JID = SERVER_JID,
        timeout: float | None = None,
    ) -> Node:
        """Send ``<iq xmlns type to>`` holding ``content``; return the result IQ node.

        Raises:
            IQError, IQTimeout, NotConnected, DecodeError: as :meth:`request`.
        """
        return await self.request(
            lambda iq_id: iq(xmlns, kind, iq_id, content, to=to), timeout=timeout
        )

    def resolve(self, node: Node) -> bool:
        """Hand a ``result``/``error`` IQ to the query waiting for it; True if one was."""
        waiter = self._pending.get(_id(node))
        if waiter is None or waiter.done():
            return False
        waiter.set_result(node)
        return True

    def fail_all(self, detail: str) -> None:
        """Fail every pending query with NotConnected (the connection ended)."""
        for waiter in self._pending.values():
            if not waiter.done():
                waiter.set_exception(NotConnected(detail))
        self._pending.clear()


class Router:
    """Routes incoming nodes to the services that registered for them."""

    def __init__(self, requests: Requests, send: Send) -> None:
        self._requests = requests
        self._send = send
        self._by_tag: dict[str, NodeHandler] = {}
        self._iqs: dict[str, IQHandler] = {}
        self._notifications: dict[str, NodeHandler] = {}

    def on(self, tag: str, handler: NodeHandler) -> None:
        """Route nodes with ``tag`` (other than ``iq`` and ``notification``) to ``handler``."""
        self._by_tag[tag] = handler

    def on_iq(self, child: str, handler: IQHandler) -> None:
        """Route server ``get``/``set`` IQs whose only child is ``<child>`` to ``handler``."""
        self._iqs[child] = handler

    def on_notification(self, kind: str, handler: NodeHandler) -> None:
        """Route ``<notification type=kind>`` to ``handler`` (the router acknowledges it)."""
        self._notifications[kind] = handler

    async def dispatch(self, node: Node) -> None:
        """Handle one incoming node; a failing handler is logged and costs only that node.

        Raises:
            NotConnected: an answer or acknowledgement could not be sent.
        """
        try:
            if node.tag == "iq":
                await self._iq(node)
            elif node.tag == "notification":
                await self._notification(node)
            elif (handler := self._by_tag.get(node.tag)) is not None:
                await handler(node)
            else:
                log.debug("no handler for <%s>", node.tag)
        except NotConnected:
            raise
        except Exception:  # a handler bug must cost one node, not the connection
            log.exception("handling <%s> failed", node.tag)

    async def _iq(self, node: Node) -> None:
        kind = node.attrs.get("type")
        if kind in ("result", "error"):
            if not self._requests.resolve(node):
                log.debug("answer to an unknown IQ %s", _id(node))
            return
        children = node.children
        handler = self._iqs.get(children[0].tag) if len(children) == 1 else None
        if not is_server(node.attrs.get("from")) or handler is None:
            await self._send(error_answer(node, 501, "feature-not-implemented"))
            return
        await self._send(await handler(node))

    async def _notification(self, node: Node) -> None:
        kind = node.attrs.get("type")
        handler = self._notifications.get(kind) if isinstance(kind, str) else None
        try:
            if handler is not None:
                await handler(node)
        finally:
            await self._send(ack(node))


def is_server(value: str | JID | None) -> bool:
    """Return whether an attribute names the server (``s.whatsapp.net`` in either form)."""
    return value == SERVER_JID or value == SERVER_JID.server


def result_answer(request: Node, content: list[Node] | None = None) -> Node:
    """Return our ``type="result"`` answer to the server IQ ``request``."""
    return Node("iq", {"to": SERVER_JID, "type": "result", "id": _id(request)}, content)


def error_answer(request: Node, code: int, text: str) -> Node:
    """Return our ``type="error"`` answer to the server IQ ``request``."""
    return Node(
        "iq",
        {"to": SERVER_JID, "type": "error", "id": _id(request)},
        [Node("error", {"code": str(code), "text": text})],
    )
