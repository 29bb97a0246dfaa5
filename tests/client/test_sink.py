"""The event queue: a sink the application reads with ``async for``."""

from __future__ import annotations

from botkit.client import EventQueue
from botkit.types.client_events import PairingCodeShown, QRCodeShown


async def test_events_come_out_in_order_until_closed() -> None:
    queue = EventQueue()
    await queue(QRCodeShown("a", 0))
    await queue(PairingCodeShown("ABCD1234"))
    queue.close()
    assert [event async for event in queue] == [QRCodeShown("a", 0), PairingCodeShown("ABCD1234")]
    assert [event async for event in queue] == []


async def test_a_full_bounded_queue_closes_and_still_hands_out_what_it_holds() -> None:
    queue = EventQueue(maxsize=1)
    await queue(QRCodeShown("a", 0))
    queue.close()
    assert [event async for event in queue] == [QRCodeShown("a", 0)]
    assert [event async for event in queue] == []
