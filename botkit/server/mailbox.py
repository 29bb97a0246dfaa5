"""Store-and-forward state of one device: stanzas it has not confirmed, and injected faults.

A stanza the sandbox hands to a device stays in that device's :class:`Mailbox` until the device
confirms it: a ``<message>`` by a ``<receipt>`` (any type) or an ``<ack class="message">``, a
``<receipt>`` by an ``<ack class="receipt">``. Whatever is still there when the device logs in is
delivered again (PROTOCOL.md §15.5 step 3).

A :class:`Fault` changes the next ``count`` deliveries to a device (tests use it through
``POST /control/faults``): ``drop`` loses them on the way (they stay unconfirmed and come back
at the next login), ``delay`` sends them ``seconds`` late, ``duplicate`` sends them twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from botkit.core.binary import Node

__all__ = ["FAULT_KINDS", "Fault", "Mailbox", "PendingKey"]

FAULT_KINDS = frozenset({"drop", "delay", "duplicate"})


@dataclass(frozen=True, slots=True)
class PendingKey:
    """What identifies a held stanza: tag, id, receipt type ("" if none) and the peer's phone.

    ``peer`` is the phone number of the account the stanza comes from (the message's sender,
    the receipt's writer), whatever JID family it was addressed in.
    """

    tag: str
    id: str
    type: str
    peer: str


@dataclass(slots=True)
class Fault:
    """An injected fault: ``kind`` applies to the next ``remaining`` deliveries."""

    kind: str
    remaining: int
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {sorted(FAULT_KINDS)}, not {self.kind!r}")
        if self.remaining < 1:
            raise ValueError("a fault must apply to at least one delivery")
        if self.kind == "delay" and not self.seconds > 0:
            raise ValueError("a delay fault needs seconds > 0")


class Mailbox:
    """The stanzas held for one device until it confirms them, in delivery order."""

    def __init__(self) -> None:
        self._held: dict[PendingKey, Node] = {}

    def __len__(self) -> int:
        return len(self._held)

    def hold(self, key: PendingKey, node: Node) -> None:
        """Keep ``node`` until it is confirmed (a stanza with the same key is replaced)."""
        self._held.pop(key, None)
        self._held[key] = node

    def confirm(
        self, tag: str, ids: Iterable[str], *, kind: str | None = None, peer: str | None = None
    ) -> int:
        """Forget held ``tag`` stanzas with one of ``ids``; return how many were forgotten.

        ``kind`` (a receipt type, "" for none) and ``peer`` (a phone number) narrow the match
        when given.
        """
        wanted = set(ids)
        gone = [
            key
            for key in self._held
            if key.tag == tag
            and key.id in wanted
            and (kind is None or key.type == kind)
            and (peer is None or key.peer == peer)
        ]
        for key in gone:
            del self._held[key]
        return len(gone)

    def entries(self) -> list[tuple[PendingKey, Node]]:
        """Return every held stanza with its key, oldest first."""
        return list(self._held.items())

    def backlog(self) -> list[Node]:
        """Return every held stanza, oldest first (they stay held until confirmed)."""
        return list(self._held.values())
