"""Pre-key upkeep: the first upload of 812, top-ups of 50, nothing when the server has enough."""

from __future__ import annotations

import pytest

from botkit.client.prekeys import PreKeys
from botkit.core.binary import Node
from botkit.errors import IQError
from botkit.store import AccountStore
from botkit.types.jid import JID, SERVER_JID

from .helpers import FakeServer, credentials, result


class PreKeyServer:
    """Holds uploaded pre-keys and answers count and upload IQs like the real server."""

    def __init__(self, held: int = 0, refuse_upload: bool = False) -> None:
        self.held = held
        self.refuse_upload = refuse_upload
        self.uploads: list[int] = []
        self.fake = FakeServer(self.answer)

    def answer(self, iq: Node) -> Node:
        if iq.attrs["type"] == "get":
            return result(iq, [Node("count", {"value": str(self.held)})])
        if self.refuse_upload:
            error = Node("error", {"code": "406", "text": "not-acceptable"})
            return Node("iq", {"id": iq.attrs["id"], "type": "error"}, [error])
        keys = iq.get_child("list").get_children("key")  # type: ignore[union-attr]
        assert all(len(key.get_child("id").content) == 3 for key in keys)  # type: ignore[union-attr, arg-type]
        self.uploads.append(len(keys))
        self.held += len(keys)
        return result(iq)


@pytest.fixture
async def paired(store: AccountStore) -> AccountStore:
    await store.save_credentials(credentials(jid="15550001111:1@s.whatsapp.net"))
    return store


async def test_first_login_uploads_812(paired: AccountStore) -> None:
    server = PreKeyServer()
    assert await PreKeys(server.fake.requests, paired).ensure() == 812
    assert server.uploads == [812] and await paired.uploaded_pre_key_count() == 812


async def test_a_low_count_later_uploads_50(paired: AccountStore) -> None:
    server = PreKeyServer()
    prekeys = PreKeys(server.fake.requests, paired)
    await prekeys.ensure()
    server.held = 3
    assert await prekeys.ensure() == 50
    assert server.uploads == [812, 50]


async def test_enough_on_the_server_uploads_nothing(paired: AccountStore) -> None:
    server = PreKeyServer(held=5)
    assert await PreKeys(server.fake.requests, paired).ensure() == 0
    assert server.uploads == []


async def test_a_refused_upload_marks_nothing_uploaded(paired: AccountStore) -> None:
    server = PreKeyServer(refuse_upload=True)
    with pytest.raises(IQError):
        await PreKeys(server.fake.requests, paired).ensure()
    assert await paired.uploaded_pre_key_count() == 0


async def test_a_low_pre_key_notification_tops_up(paired: AccountStore) -> None:
    server = PreKeyServer(held=100)
    prekeys = PreKeys(server.fake.requests, paired)
    low = Node(
        "notification",
        {"from": SERVER_JID, "type": "encrypt", "id": "n"},
        [Node("count", {"value": "3"})],
    )
    await prekeys.on_notification(low)
    assert server.uploads == [50]


async def test_an_encrypt_notification_from_a_user_is_not_a_count(paired: AccountStore) -> None:
    server = PreKeyServer(held=100)
    user = JID("15550002222", "s.whatsapp.net")
    other = Node(
        "notification",
        {"from": user, "type": "encrypt", "id": "n"},
        [Node("count", {"value": "0"})],
    )
    await PreKeys(server.fake.requests, paired).on_notification(other)
    assert server.uploads == []
