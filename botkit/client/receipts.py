"""Receipts both ways and the end of the offline batch (PROTOCOL.md §9.9, §10.4, §10.6, §10.7).

:class:`Receipts` reports delivery, read and played receipts as :class:`ReceiptReceived`,
hands retry receipts to :meth:`~botkit.client.send.Sender.resend` (in a task: it may fetch a
bundle) and acknowledges every receipt once handled; it sends read receipts on request and
notes ``<ib><offline count>``, the end of the messages queued while we were away.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from botkit.client.requests import Send
from botkit.client.send import Sender
from botkit.core.binary import AttrReader, Node
from botkit.core.stanza import Receipt, ack, parse_receipt, read_receipt
from botkit.errors import BotkitError, DecodeError
from botkit.types.events import ReceiptKind, ReceiptReceived
from botkit.types.jid import JID

__all__ = ["Receipts"]

log = logging.getLogger(__name__)

_RECEIPT_KINDS = {
    None: ReceiptKind.DELIVERED,
    "read": ReceiptKind.READ,
    "played": ReceiptKind.PLAYED,
}


class Receipts:
    """Handles ``<receipt>`` and ``<ib>`` nodes and sends read receipts.

    ``emit`` receives the :class:`ReceiptReceived` events; ``spawn`` runs the answers to retry
    receipts beside the read loop; ``admits(group, device)`` says whether a group's retry
    receipt may be answered (the device is a current member's).
    """

    def __init__(
        self,
        send: Send,
        sender: Sender,
        *,
        emit: Callable[[ReceiptReceived], Awaitable[None]],
        spawn: Callable[[Coroutine[Any, Any, None], str], None],
        clock: Callable[[], float] = time.time,
        admits: Callable[[JID, JID], Awaitable[bool]] | None = None,
    ) -> None:
        self._send = send
        self._sender = sender
        self._admits = admits
        self._emit = emit
        self._spawn = spawn
        self._clock = clock
        self.offline_count: int | None = None
        """How many messages the last offline batch held (``<ib><offline count>``), or None."""
        self.offline_done = asyncio.Event()
        """Set once the server said the offline batch of this connection is delivered."""

    def connection_started(self) -> None:
        """Forget the previous connection's offline batch."""
        self.offline_count = None
        self.offline_done.clear()

    async def on_receipt(self, node: Node) -> None:
        """Report a receipt; answer a retry receipt (in a task); acknowledge it.

        Raises:
            NotConnected: the ack could not be sent.
        """
        try:
            receipt = parse_receipt(node)
        except DecodeError as exc:
            log.info("unparseable <receipt>: %s", exc)
            await self._send(ack(node))
            return
        if receipt.type == "retry":
            self._spawn(self._answer_retry(receipt, node), "retry-receipt")
            return
        kind = _RECEIPT_KINDS.get(receipt.type)
        if kind is not None:
            group = receipt.participant is not None
            sender = receipt.participant if group else receipt.from_
            assert sender is not None
            await self._emit(
                ReceiptReceived(
                    chat=receipt.from_.to_non_ad(),
                    sender=sender.to_non_ad(),
                    message_ids=receipt.message_ids,
                    kind=kind,
                    timestamp=float(receipt.timestamp or self._clock()),
                )
            )
        await self._send(ack(node))

    async def _answer_retry(self, receipt: Receipt, node: Node) -> None:
        try:
            if await self._admitted(receipt):
                await self._sender.resend(receipt)
        except BotkitError as exc:  # the receipt is still acked: the peer may ask again
            log.info("could not answer the retry receipt for %s: %s", receipt.message_ids[0], exc)
        await self._send(ack(node))

    async def _admitted(self, receipt: Receipt) -> bool:
        """Whether a retry receipt may be answered: in a group, only a current member's device."""
        group, device = receipt.from_, receipt.participant
        if not group.is_group or device is None or self._admits is None:
            return True
        if await self._admits(group.to_non_ad(), device):
            return True
        log.info("no resend of %s: %s is not a member", receipt.message_ids[0], device)
        return False

    async def mark_read(
        self, chat: JID, message_ids: Sequence[str], *, sender: JID | None = None
    ) -> None:
        """Tell ``chat`` we read ``message_ids`` (``sender``: their author, in groups).

        Raises:
            ValueError: ``message_ids`` is empty.
            NotConnected: not connected.
        """
        node = read_receipt(chat, message_ids, timestamp=int(self._clock()), sender=sender)
        await self._send(node)

    async def on_ib(self, node: Node) -> None:
        """Handle an ``<ib>`` (§10.7), never acked: each child is handled or ignored.

        ``<offline count>`` ends the offline batch. The others carry nothing a bot acts on and
        are logged: ``offline_preview`` (backlog counts), ``dirty`` (whatsmeow does not clean
        it either), ``edge_routing``, ``unified_session``, ``downgrade_webclient`` (the QR was
        scanned by a phone without multi-device: a warning), and unknown ones.
        """
        for child in node.children:
            if child.tag == "offline":
                self.offline_count = AttrReader(child).optional_int("count") or 0
                self.offline_done.set()
                log.info("offline batch delivered: %d messages", self.offline_count)
            elif child.tag == "downgrade_webclient":
                log.warning("the phone that scanned the QR code does not support multi-device")
            else:
                log.debug("ignored <ib><%s>", child.tag)
