"""The application's event sink cannot cost a message its receipt (receive.py emits first)."""

from __future__ import annotations

from botkit.client import SinkEvent
from botkit.server import Sandbox
from botkit.store import AccountStore
from botkit.types.events import MessageReceived
from botkit.types.jid import JID
from botkit.types.message import TextMessage

from .helpers import ALICE, BOB, Events, pair_by_qr, sandbox_client


class _FailingSink(Events):
    """Records every event, then raises on the message texts it was told to fail on."""

    def __init__(self, *failing: str) -> None:
        super().__init__()
        self._failing = set(failing)

    async def __call__(self, event: SinkEvent) -> None:
        await super().__call__(event)
        if isinstance(event, MessageReceived) and event.text in self._failing:
            raise RuntimeError("the application's bug")


async def test_a_sink_that_raises_loses_neither_the_receipt_nor_the_next_message(
    sandbox: Sandbox, store: AccountStore
) -> None:
    bob = sandbox.create_user(BOB, "Bob")
    events = _FailingSink("first")
    client = sandbox_client(sandbox, store, events)
    device = (await pair_by_qr(sandbox, client, events)).jid
    first = await sandbox.send_text(BOB, ALICE, "first")
    await sandbox.send_text(BOB, ALICE, "second")
    assert (await events.next(MessageReceived)).text == "first"
    assert (await events.next(MessageReceived)).text == "second"
    # The server acknowledges this only after the frames sent before it: the receipts.
    await client.send_message(JID.parse(bob["jid"]), TextMessage("after both"))
    account = sandbox.world.account(BOB)
    assert account is not None
    receipts = sandbox.router.phone(account).receipts
    assert first in {node.attrs.get("id") for node in receipts if node.attrs["from"] == device}
    assert [e.text for e in events.of(MessageReceived)] == ["first", "second"]
    await client.disconnect()
