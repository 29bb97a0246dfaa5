"""Groups in the sandbox: w:g2 requests and permissions, w:gp2 notifications, skmsg fan-out."""

from __future__ import annotations

import pytest

from botkit.core.binary import Node
from botkit.core.stanza import retry_receipt
from botkit.core.stanza.group import (
    ChangeParticipants,
    CreateGroup,
    GetInvite,
    GroupCreated,
    GroupRequest,
    JoinByCode,
    LeaveGroups,
    ListGroups,
    ParticipantsChange,
    QueryGroup,
    SetMemberAddMode,
    SetSubject,
    SubjectChange,
    UnknownChange,
    group_request,
    parse_gp2_notification,
    parse_group_result,
    parse_groups,
    parse_invite_code,
    parse_join,
    parse_participant_results,
)
from botkit.core.stanza.iq import result_payload
from botkit.errors import IQError
from botkit.server.app import Sandbox
from botkit.types.events import ParticipantAction
from botkit.types.group import ParticipantRole
from botkit.types.jid import JID

from .companion import http
from .conftest import PHONE
from .messaging import Peer, pn

BOB = "15550002222"
CAROL = "15550003333"
_ids = iter(range(1, 1_000_000))


async def ask(peer: Peer, request: GroupRequest) -> tuple[Node, list[Node]]:
    """Send a w:g2 request; return the answer and the notifications that came before it."""
    node = group_request(request, f"g-{next(_ids)}")
    await peer.send(node)
    seen: list[Node] = []
    while True:
        got = await peer.next("iq", "notification")
        if got.tag == "iq" and got.attrs.get("id") == node.attrs["id"]:
            return got, seen
        seen.append(got)


@pytest.fixture
async def bob(sandbox: Sandbox) -> Peer:
    sandbox.create_user(BOB, "Bob")
    sandbox.create_user(CAROL, "Carol")
    return await Peer(sandbox, BOB).link()


async def _group(alice: Peer, *members: str) -> JID:
    answer, _ = await ask(alice, CreateGroup("Team", tuple(pn(m) for m in members)))
    return parse_group_result(answer).jid


async def test_create_answers_the_group_and_notifies_offline_members(
    sandbox: Sandbox, alice: Peer, bob: Peer
) -> None:
    answer, _ = await ask(alice, CreateGroup("Team", (pn(BOB), pn("15559999999"))))
    info = parse_group_result(answer)
    assert info.jid.is_group and info.jid.user.startswith("120363")
    assert info.subject == "Team" and info.owner == pn(PHONE)
    roles = {p.jid: p.role for p in info.participants}
    assert roles == {pn(PHONE): ParticipantRole.SUPERADMIN, pn(BOB): ParticipantRole.MEMBER}
    bob_lid = JID(sandbox.world.account(BOB).lid_user, "lid")  # type: ignore[union-attr]
    assert info.participant(bob_lid) is not None
    backlog = await bob.login()
    notes = [parse_gp2_notification(n) for n in backlog if n.tag == "notification"]
    assert [type(n.changes[0]) for n in notes] == [GroupCreated]
    assert notes[0].actor == pn(PHONE) and notes[0].changes[0].info == info  # type: ignore[union-attr]
    await bob.send(Node("ack", {"class": "notification", "id": notes[0].id, "to": info.jid}))
    await bob.close()
    assert await bob.login() == []


async def test_only_admins_change_participants_with_results_per_participant(
    alice: Peer, bob: Peer
) -> None:
    group = await _group(alice, BOB)
    await bob.login()
    refused, _ = await ask(bob, ChangeParticipants(group, ParticipantAction.ADDED, (pn(CAROL),)))
    with pytest.raises(IQError) as caught:
        result_payload(refused)
    assert caught.value.code == 403
    action = ParticipantAction.ADDED
    who = (pn(CAROL), pn(BOB), pn("15559999999"))
    answer, _ = await ask(alice, ChangeParticipants(group, action, who))
    results = parse_participant_results(answer, action)
    assert [(r.jid, r.error) for r in results] == [(pn(CAROL), 0), (pn(BOB), 409), (who[2], 404)]
    demote = ParticipantAction.DEMOTED
    await ask(alice, ChangeParticipants(group, ParticipantAction.PROMOTED, (pn(BOB),)))
    answer, _ = await ask(bob, ChangeParticipants(group, demote, (pn(PHONE),)))
    assert [r.error for r in parse_participant_results(answer, demote)] == [403]


async def test_member_notifications_for_add_remove_and_subject(
    sandbox: Sandbox, alice: Peer, bob: Peer
) -> None:
    group = await _group(alice, BOB)
    [created] = [parse_gp2_notification(n) for n in await bob.login()]
    assert isinstance(created.changes[0], GroupCreated)
    await ask(alice, ChangeParticipants(group, ParticipantAction.ADDED, (pn(CAROL),)))
    added = parse_gp2_notification(await bob.next("notification"))
    assert added.changes[0] == ParticipantsChange(
        ParticipantAction.ADDED,
        (sandbox.world.groups.get(group).participant(CAROL, sandbox.groups.lid_of),),  # type: ignore[union-attr]
    )
    _, seen = await ask(bob, SetSubject(group, "Renamed"))
    change = parse_gp2_notification(seen[0]).changes[0]
    assert isinstance(change, SubjectChange) and change.subject == "Renamed"
    await ask(alice, ChangeParticipants(group, ParticipantAction.REMOVED, (pn(BOB),)))
    removed = parse_gp2_notification(await bob.next("notification"))
    assert removed.changes[0].action is ParticipantAction.REMOVED  # type: ignore[union-attr]
    refused, _ = await ask(bob, QueryGroup(group))
    assert refused.attrs["type"] == "error"
    answer, _ = await ask(bob, ListGroups())
    assert parse_groups(answer) == ()


async def test_members_add_when_the_add_mode_lets_them(alice: Peer, bob: Peer) -> None:
    group = await _group(alice, BOB)
    await bob.login()
    await ask(alice, SetMemberAddMode(group, "all_member_add"))
    note = parse_gp2_notification(await bob.next("notification"))
    assert note.changes == (UnknownChange(Node("member_add_mode", {}, b"all_member_add")),)
    answer, _ = await ask(bob, ChangeParticipants(group, ParticipantAction.ADDED, (pn(CAROL),)))
    assert [r.ok for r in parse_participant_results(answer, ParticipantAction.ADDED)] == [True]


async def test_locked_group_info_is_admins_only(sandbox: Sandbox, alice: Peer, bob: Peer) -> None:
    group = await _group(alice, BOB)
    await bob.login()
    status, body = await http(
        sandbox, "POST", f"/control/groups/{group}/settings", {"by": BOB, "locked": True}
    )
    assert status == 403, body
    status, body = await http(
        sandbox, "POST", f"/control/groups/{group}/settings", {"by": PHONE, "locked": True}
    )
    assert status == 200 and body["locked"] is True
    refused, _ = await ask(bob, SetSubject(group, "Mine"))
    assert refused.attrs["type"] == "error"
    assert refused.children[0].attrs["code"] == "403"


async def test_invite_links_and_leaving(alice: Peer, bob: Peer) -> None:
    group = await _group(alice)
    await bob.login()
    code = parse_invite_code((await ask(alice, GetInvite(group)))[0])
    refused, _ = await ask(bob, GetInvite(group))
    assert refused.attrs["type"] == "error"
    joined, _ = await ask(bob, JoinByCode(code))
    assert parse_join(joined).group == group
    new_code = parse_invite_code((await ask(alice, GetInvite(group, reset=True)))[0])
    assert new_code != code
    gone, _ = await ask(bob, JoinByCode(code))
    assert gone.children[0].attrs["code"] == "410"
    await ask(bob, LeaveGroups((group,)))
    left = parse_gp2_notification(await alice.next("notification"))
    assert left.actor == pn(BOB)
    assert left.changes == (
        ParticipantsChange(ParticipantAction.REMOVED, (left.changes[0].participants[0],)),  # type: ignore[union-attr]
    )
    assert left.changes[0].participants[0].jid == pn(BOB)  # type: ignore[union-attr]


async def test_unimplemented_and_malformed_requests(alice: Peer) -> None:
    group = await _group(alice)
    links = Node("iq", {"id": "x1", "xmlns": "w:g2", "type": "set", "to": group}, [Node("links")])
    await alice.send(links)
    assert (await alice.next("iq")).children[0].attrs["code"] == "501"
    bad = Node("iq", {"id": "x2", "xmlns": "w:g2", "type": "set", "to": group}, [])
    await alice.send(bad)
    assert (await alice.next("iq")).children[0].attrs["code"] == "400"
    missing, _ = await ask(alice, QueryGroup(JID("120363000000000000", "g.us")))
    assert missing.children[0].attrs["code"] == "404"


async def test_skmsg_fans_out_to_every_member_device(
    sandbox: Sandbox, alice: Peer, bob: Peer
) -> None:
    group = await _group(alice, BOB)
    await bob.login()
    devices = [pn(PHONE), pn(BOB), bob.jid]
    node = await alice.encrypt_group(group, "hello team", devices)
    await alice.send(node)
    ack = await alice.next()
    assert ack.tag == "ack" and "error" not in ack.attrs
    assert ack.attrs["phash"] == node.attrs["phash"]  # the same fan-out as the server's
    delivered = await bob.next()
    assert delivered.attrs["from"] == group and delivered.attrs["participant"] == alice.jid
    assert [c.attrs["type"] for c in delivered.children if c.tag == "enc"][-1] == "skmsg"
    got = bob.decrypt(delivered)
    assert got.message.conversation == "hello team"
    await bob.send(got.receipt)
    receipts = [await alice.next() for _ in range(2)]  # bob's phone and companion
    assert {r.attrs["from"] for r in receipts} == {group}
    assert {r.attrs["participant"] for r in receipts} == {pn(BOB), bob.jid}
    for phone in (PHONE, BOB):
        inbox = sandbox.inbox(phone)
        assert [(e["chat"], e["text"], e["from"]) for e in inbox] == [
            (str(group), "hello team", str(alice.jid))
        ]


async def test_a_stale_device_list_shows_in_the_phash(alice: Peer, bob: Peer) -> None:
    group = await _group(alice, BOB)
    node = await alice.encrypt_group(group, "who is here", [pn(PHONE), pn(BOB)])
    await alice.send(node)
    ack = await alice.next()
    assert "error" not in ack.attrs and ack.attrs["phash"] != node.attrs["phash"]


async def test_a_phone_answers_a_group_retry_receipt(sandbox: Sandbox, alice: Peer) -> None:
    sandbox.create_user(BOB, "Bob")
    group = await _group(alice, BOB)
    status, _ = await http(
        sandbox, "POST", "/control/messages", {"from": BOB, "to": str(group), "text": "again"}
    )
    assert status == 200
    lost = await alice.next("message")
    await alice.send(retry_receipt(lost, count=1, registration_id=alice.companion.registration_id))
    resent = await alice.next("message")
    assert resent.attrs["from"] == group and resent.attrs["participant"] == pn(BOB)
    assert [c.attrs.get("count") for c in resent.children if c.tag == "enc"] == ["1"]
    assert alice.decrypt(resent).message.conversation == "again"


async def test_phones_send_group_texts_companions_decrypt(
    sandbox: Sandbox, alice: Peer, bob: Peer
) -> None:
    status, body = await http(
        sandbox,
        "POST",
        "/control/groups",
        {"creator": BOB, "subject": "Phones", "participants": [str(pn(PHONE))]},
    )
    assert status == 200, body
    group = JID.parse(body["jid"])
    for text in ("one", "two"):
        status, _ = await http(
            sandbox, "POST", "/control/messages", {"from": BOB, "to": str(group), "text": text}
        )
        assert status == 200
    await alice.next("notification")
    texts = [alice.decrypt(await alice.next()).message.conversation for _ in range(2)]
    assert texts == ["one", "two"]
    status, meta = await http(sandbox, "GET", f"/control/groups/{group}")
    assert status == 200 and meta["subject"] == "Phones"
    assert {p["jid"]: p["role"] for p in meta["participants"]} == {
        str(pn(BOB)): "superadmin",
        str(pn(PHONE)): "member",
    }


async def test_announcement_groups_take_posts_from_admins_only(
    sandbox: Sandbox, alice: Peer, bob: Peer
) -> None:
    group = await _group(alice, BOB)
    status, _ = await http(
        sandbox, "POST", f"/control/groups/{group}/settings", {"by": PHONE, "announce": True}
    )
    assert status == 200
    status, _ = await http(
        sandbox, "POST", "/control/messages", {"from": BOB, "to": str(group), "text": "hi"}
    )
    assert status == 403
    assert sandbox.inbox(PHONE) == []
    status, _ = await http(
        sandbox, "POST", "/control/messages", {"from": PHONE, "to": str(group), "text": "news"}
    )
    assert status == 200
    assert [e["text"] for e in sandbox.inbox(BOB)] == ["news"]


async def test_non_members_cannot_post(sandbox: Sandbox, alice: Peer, bob: Peer) -> None:
    group = await _group(alice)
    await bob.login()
    node = await bob.encrypt_group(group, "let me in", [pn(PHONE)])
    await bob.send(node)
    ack = await bob.next()
    assert ack.attrs["error"] == "403"
    assert sandbox.inbox(PHONE) == []


async def test_a_removed_member_cannot_read_what_follows(sandbox: Sandbox, alice: Peer) -> None:
    sandbox.create_user(BOB, "Bob")
    sandbox.create_user(CAROL, "Carol")
    group = await _group(alice, BOB, CAROL)
    await http(sandbox, "POST", "/control/messages", {"from": BOB, "to": str(group), "text": "1"})
    assert alice.decrypt(await alice.next("message")).message.conversation == "1"
    await ask(alice, ChangeParticipants(group, ParticipantAction.REMOVED, (pn(CAROL),)))
    await http(sandbox, "POST", "/control/messages", {"from": BOB, "to": str(group), "text": "2"})
    assert [e["text"] for e in sandbox.inbox(CAROL)] == ["1"]
    assert [e["text"] for e in sandbox.inbox(PHONE)] == ["1", "2"]
    second = await alice.next("message")
    kinds = [c.attrs["type"] for c in second.children if c.tag == "enc"]
    assert len(kinds) == 2 and kinds[1] == "skmsg"  # the new sender key, pairwise, then the text
    got = alice.decrypt(second)
    assert got.message.conversation == "2" and got.sender_key is not None


async def test_control_participants_results(sandbox: Sandbox, alice: Peer) -> None:
    sandbox.create_user(BOB, "Bob")
    group = await _group(alice)
    path = f"/control/groups/{group}/participants"
    body = {
        "by": PHONE,
        "action": "add",
        "participants": [str(pn(BOB)), "15559999999@s.whatsapp.net"],
    }
    status, results = await http(sandbox, "POST", path, body)
    assert status == 200
    assert results == [
        {"jid": str(pn(BOB)), "status": 200},
        {"jid": "15559999999@s.whatsapp.net", "status": 404},
    ]
    status, _ = await http(sandbox, "POST", path, {**body, "by": BOB, "action": "remove"})
    assert status == 403
    status, _ = await http(sandbox, "GET", "/control/groups/120363000000000000@g.us")
    assert status == 404


async def test_only_admins_send_an_admin_revoke(sandbox: Sandbox, alice: Peer, bob: Peer) -> None:
    group = await _group(alice, BOB)
    await bob.login()
    for sender, error in ((bob, "403"), (alice, None)):
        node = await sender.encrypt_group(group, "revoke", [pn(PHONE), pn(BOB)])
        await sender.send(Node(node.tag, {**node.attrs, "edit": "8"}, node.content))
        ack = await sender.next("ack")
        assert ack.attrs.get("error") == error


async def test_when_the_last_admin_leaves_a_member_is_made_admin(alice: Peer, bob: Peer) -> None:
    group = await _group(alice, BOB, CAROL)
    await bob.login()
    await ask(alice, LeaveGroups((group,)))
    notes = [parse_gp2_notification(await bob.next("notification")) for _ in range(2)]
    actions = [change.action for note in notes for change in note.changes]  # type: ignore[union-attr]
    assert actions == [ParticipantAction.REMOVED, ParticipantAction.PROMOTED]
    info = parse_group_result((await ask(bob, QueryGroup(group)))[0])
    roles = {p.jid: p.role for p in info.participants}
    assert roles == {pn(BOB): ParticipantRole.ADMIN, pn(CAROL): ParticipantRole.MEMBER}
