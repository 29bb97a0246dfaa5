"""The IQs a logged-in client needs: pre-keys, digest, key fetch, usync and the small ones."""

from __future__ import annotations

import os

import pytest

from botkit.core.binary import Node
from botkit.core.signal import PreKeyBundle, generate_prekeys
from botkit.server.app import Sandbox
from botkit.types.jid import JID

from .companion import Companion, Connected, pair
from .conftest import PHONE

OTHER = "15550002222"


@pytest.fixture
def companion() -> Companion:
    return Companion()


@pytest.fixture
async def client(sandbox: Sandbox, companion: Companion) -> Connected:
    await pair(sandbox, PHONE, companion)
    conn = await companion.connect(sandbox, companion.login_payload())
    await conn.node("success")
    return conn


def upload_node(companion: Companion, count: int, *, identity: bytes | None = None) -> list[Node]:
    spk = companion.signed_pre_key
    keys = [
        Node(
            "key",
            {},
            [Node("id", {}, k.key_id.to_bytes(3, "big")), Node("value", {}, k.key_pair.public)],
        )
        for k in generate_prekeys(1, count, os.urandom)
    ]
    return [
        Node("registration", {}, companion.registration_id.to_bytes(4, "big")),
        Node("type", {}, b"\x05"),
        Node("identity", {}, identity or companion.identity.public),
        Node("list", {}, keys),
        Node(
            "skey",
            {},
            [
                Node("id", {}, spk.key_id.to_bytes(3, "big")),
                Node("value", {}, spk.key_pair.public),
                Node("signature", {}, spk.signature),
            ],
        ),
    ]


async def count(conn: Connected) -> int:
    answer = await conn.iq("encrypt", "get", [Node("count")])
    node = answer.get_child("count")
    assert node is not None
    return int(node.attrs["value"])  # type: ignore[arg-type]


async def test_count_is_zero_then_what_was_uploaded(
    client: Connected, companion: Companion
) -> None:
    assert await count(client) == 0
    answer = await client.iq("encrypt", "set", upload_node(companion, 30))
    assert answer.attrs["type"] == "result"
    assert await count(client) == 30


async def test_an_upload_with_another_identity_is_refused(
    client: Connected, companion: Companion
) -> None:
    nodes = upload_node(companion, 3, identity=os.urandom(32))
    answer = await client.iq("encrypt", "set", nodes)
    assert answer.attrs["type"] == "error"
    assert await count(client) == 0


async def test_digest_answers_with_a_digest_node(client: Connected) -> None:
    answer = await client.iq("encrypt", "get", [Node("digest")])
    digest = answer.get_child("digest")
    assert digest is not None and digest.get_child("identity") is not None


def read_bundle(user: Node) -> PreKeyBundle:
    def content(*path: str) -> bytes:
        node = user.get_path(*path)
        assert node is not None and isinstance(node.content, bytes)
        return node.content

    key = user.get_child("key")
    return PreKeyBundle(
        registration_id=int.from_bytes(content("registration"), "big"),
        identity_key=content("identity"),
        signed_prekey_id=int.from_bytes(content("skey", "id"), "big"),
        signed_prekey=content("skey", "value"),
        signed_prekey_signature=content("skey", "signature"),
        prekey_id=None if key is None else int.from_bytes(content("key", "id"), "big"),
        prekey=None if key is None else content("key", "value"),
    )


async def fetch(conn: Connected, *jids: JID) -> list[Node]:
    users = [Node("user", {"jid": jid, "reason": "identity"}) for jid in jids]
    answer = await conn.iq("encrypt", "get", [Node("key", {}, users)])
    listed = answer.get_child("list")
    assert listed is not None
    return listed.get_children("user")


async def test_key_fetch_hands_out_each_one_time_pre_key_once(
    sandbox: Sandbox, client: Connected, companion: Companion
) -> None:
    await client.iq("encrypt", "set", upload_node(companion, 2))
    account = sandbox.world.account(PHONE)
    assert account is not None and companion.jid is not None
    lid_device = JID(account.lid_user, "lid", device=companion.jid.device)
    bundles = [read_bundle((await fetch(client, lid_device))[0]) for _ in range(3)]
    assert [b.prekey_id for b in bundles] == [1, 2, None]
    for bundle in bundles:
        bundle.verify_signature()
        assert bundle.identity_key == companion.identity.public


async def test_key_fetch_serves_the_primary_phone_and_errors_for_unknown_devices(
    sandbox: Sandbox, client: Connected
) -> None:
    sandbox.create_user(OTHER, "Bob")
    phone, unknown = await fetch(
        client, JID(OTHER, "s.whatsapp.net"), JID(OTHER, "s.whatsapp.net", device=5)
    )
    read_bundle(phone).verify_signature()
    error = unknown.get_child("error")
    assert error is not None and error.attrs["code"] == "404"


async def test_usync_lists_devices_with_key_index_and_the_lid(
    sandbox: Sandbox, client: Connected
) -> None:
    query = Node("query", {}, [Node("devices", {"version": "2"}), Node("lid")])
    users = Node("list", {}, [Node("user", {"jid": JID(PHONE, "s.whatsapp.net")})])
    usync = Node("usync", {"sid": "s1", "mode": "query", "context": "message"}, [query, users])
    answer = await client.iq("usync", "get", [usync])
    user = answer.get_path("usync", "list", "user")
    assert user is not None
    devices = user.get_path("devices", "device-list")
    assert devices is not None
    assert [dict(d.attrs) for d in devices.children] == [{"id": "0"}, {"id": "1", "key-index": "1"}]
    lid = user.get_child("lid")
    account = sandbox.world.account(PHONE)
    assert lid is not None and account is not None and lid.attrs["val"] == account.lid


async def test_usync_contact_says_in_for_accounts_and_out_otherwise(client: Connected) -> None:
    query = Node("query", {}, [Node("contact")])
    users = Node(
        "list",
        {},
        [
            Node("user", {}, [Node("contact", {}, f"+{PHONE}".encode())]),
            Node("user", {}, [Node("contact", {}, b"+19990000000")]),
        ],
    )
    answer = await client.iq("usync", "get", [Node("usync", {"sid": "s2"}, [query, users])])
    listed = answer.get_path("usync", "list")
    assert listed is not None
    kinds = [u.get_child("contact").attrs["type"] for u in listed.children]  # type: ignore[union-attr]
    assert kinds == ["in", "out"]


@pytest.mark.parametrize(
    ("xmlns", "kind", "content"),
    [
        ("w:p", "get", None),
        ("passive", "set", [Node("active")]),
        ("abt", "get", [Node("props", {"protocol": "1"})]),
        ("blocklist", "get", None),
        ("privacy", "get", [Node("privacy")]),
    ],
)
async def test_small_namespaces_answer_with_a_result(
    client: Connected, xmlns: str, kind: str, content: list[Node] | None
) -> None:
    assert (await client.iq(xmlns, kind, content)).attrs["type"] == "result"


async def test_blocking_adds_to_the_blocklist(client: Connected) -> None:
    item = Node("item", {"jid": JID(OTHER, "s.whatsapp.net"), "action": "block"})
    answer = await client.iq("blocklist", "set", [item])
    items = answer.get_path("list")
    assert items is not None
    assert [i.attrs["jid"] for i in items.children] == [JID(OTHER, "s.whatsapp.net")]


async def test_privacy_settings_change(client: Connected) -> None:
    setting = Node("privacy", {}, [Node("category", {"name": "last", "value": "none"})])
    await client.iq("privacy", "set", [setting])
    answer = await client.iq("privacy", "get", [Node("privacy")])
    privacy = answer.get_child("privacy")
    assert privacy is not None
    values = {c.attrs["name"]: c.attrs["value"] for c in privacy.children}
    assert values["last"] == "none" and values["readreceipts"] == "all"


async def test_an_unknown_namespace_gets_error_501(client: Connected) -> None:
    answer = await client.iq("w:nothing", "get", [Node("anything")])
    error = answer.get_child("error")
    assert answer.attrs["type"] == "error" and error is not None
    assert (error.attrs["code"], error.attrs["text"]) == ("501", "feature-not-implemented")


async def test_ib_and_presence_are_taken_silently(client: Connected) -> None:
    await client.send(Node("ib", {}, [Node("unified_session", {"id": "12345"})]))
    await client.send(Node("presence", {"type": "available", "name": "Alice"}))
    assert (await client.iq("w:p", "get")).attrs["type"] == "result"
