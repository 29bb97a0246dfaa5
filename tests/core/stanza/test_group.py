"""Groups on the wire (§13): requests, answers, the <group> element and w:gp2 notifications."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from botkit.core.binary import Node, decode_node, encode_node
from botkit.core.stanza.group import (
    AddRequest,
    AnnounceChange,
    ApprovalChange,
    ChangeParticipants,
    CreateGroup,
    DescriptionChange,
    EphemeralChange,
    GetInvite,
    GroupCreated,
    GroupDeleted,
    GroupNotification,
    GroupRequest,
    InviteChange,
    InviteInfo,
    JoinByCode,
    JoinResult,
    LeaveGroups,
    ListGroups,
    LockedChange,
    ParticipantResult,
    ParticipantsChange,
    QueryGroup,
    SetAnnounce,
    SetApproval,
    SetDescription,
    SetEphemeral,
    SetLocked,
    SetMemberAddMode,
    SetSubject,
    SubjectChange,
    UnknownChange,
    gp2_notification,
    group_node,
    group_request,
    groups_node,
    invite_node,
    join_node,
    parse_gp2_notification,
    parse_group,
    parse_group_request,
    parse_group_result,
    parse_groups,
    parse_invite_code,
    parse_join,
    parse_participant_results,
    participant_results_node,
)
from botkit.core.stanza.iq import error_reply, result_reply
from botkit.errors import DecodeError, IQError
from botkit.types.events import ParticipantAction
from botkit.types.group import AddressingMode, GroupInfo, GroupParticipant, ParticipantRole
from botkit.types.jid import GROUP_SERVER_JID, JID

GROUP = JID("120363000000000001", "g.us")
ALICE = JID("15550001111", "s.whatsapp.net")
ALICE_LID = JID("100000000000001", "lid")
BOB = JID("15550002222", "s.whatsapp.net")

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=24)
words = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=16)
pns = st.from_regex(r"[1-9][0-9]{6,14}", fullmatch=True).map(lambda u: JID(u, "s.whatsapp.net"))
lids = st.from_regex(r"[1-9][0-9]{14}", fullmatch=True).map(lambda u: JID(u, "lid"))
users = pns | lids
groups = st.from_regex(r"120363[0-9]{12}", fullmatch=True).map(lambda u: JID(u, "g.us"))
seconds = st.integers(0, 2**31)


@st.composite
def participants(draw: st.DrawFn) -> GroupParticipant:
    jid = draw(users)
    alt = draw(st.none() | (pns if jid.is_lid else lids))
    return GroupParticipant(jid, draw(st.sampled_from(ParticipantRole)), alt)


@st.composite
def infos(draw: st.DrawFn) -> GroupInfo:
    description_id = draw(st.just("") | words)
    return GroupInfo(
        jid=draw(groups),
        subject=draw(texts),
        participants=tuple(draw(st.lists(participants(), max_size=4))),
        description=draw(texts) if description_id else "",
        owner=draw(st.none() | users),
        announce=draw(st.booleans()),
        locked=draw(st.booleans()),
        created_at=float(draw(seconds)),
        ephemeral=draw(seconds),
        approval=draw(st.booleans()),
        addressing_mode=draw(st.sampled_from(AddressingMode)),
        member_add_mode=draw(st.sampled_from(["", "admin_add", "all_member_add"])),
        subject_owner=draw(st.none() | users),
        subject_time=draw(seconds),
        description_id=description_id,
        description_owner=draw(st.none() | users) if description_id else None,
        description_time=draw(seconds) if description_id else 0,
    )


user_tuples = st.lists(users, max_size=4).map(tuple)
actions = st.sampled_from(ParticipantAction)
requests: st.SearchStrategy[GroupRequest] = st.one_of(
    st.builds(
        CreateGroup,
        subject=texts,
        participants=user_tuples,
        announce=st.booleans(),
        locked=st.booleans(),
        ephemeral=seconds,
        approval=st.booleans(),
        member_add_mode=st.sampled_from(["", "admin_add", "all_member_add"]),
        key=st.just("") | words,
    ),
    st.builds(QueryGroup, groups),
    st.just(ListGroups()),
    st.builds(ChangeParticipants, groups, actions, st.lists(users, min_size=1).map(tuple)),
    st.builds(SetSubject, groups, texts),
    st.builds(SetDescription, groups, st.none() | texts, st.just("") | words, st.just("") | words),
    st.builds(SetAnnounce, groups, st.booleans()),
    st.builds(SetLocked, groups, st.booleans()),
    st.builds(SetEphemeral, groups, seconds),
    st.builds(SetApproval, groups, st.booleans()),
    st.builds(SetMemberAddMode, groups, st.sampled_from(["admin_add", "all_member_add"])),
    st.builds(GetInvite, groups, st.booleans()),
    st.builds(InviteInfo, words),
    st.builds(JoinByCode, words),
    st.builds(LeaveGroups, st.lists(groups, min_size=1, max_size=3).map(tuple)),
)
changes = st.one_of(
    st.builds(
        ParticipantsChange,
        actions,
        st.lists(participants(), max_size=3).map(tuple),
        st.just("") | words,
    ),
    st.builds(SubjectChange, texts, seconds, st.none() | users),
    st.builds(DescriptionChange, words, st.none() | texts),
    st.builds(AnnounceChange, st.booleans(), st.just("") | words),
    st.builds(LockedChange, st.booleans()),
    st.builds(EphemeralChange, seconds),
    st.builds(InviteChange, words),
    st.builds(ApprovalChange, st.booleans()),
    st.builds(GroupCreated, infos(), st.just("") | words, st.just("") | words),
    st.builds(GroupDeleted, st.just("") | words),
)


def _wire(node: Node) -> Node:
    """Return ``node`` as the peer decodes it."""
    return decode_node(encode_node(node))


@given(infos())
def test_group_element_round_trips(info: GroupInfo) -> None:
    assert parse_group(_wire(group_node(info))) == info


@given(requests)
def test_requests_round_trip(request: GroupRequest) -> None:
    assert parse_group_request(_wire(group_request(request, "r1"))) == request


@given(groups, changes, users, st.none() | words)
def test_notifications_round_trip(
    group: JID, change: object, actor: JID, notify: str | None
) -> None:
    note = GroupNotification(group, "n1", 1700000000, (change,), actor, None, notify)  # type: ignore[arg-type]
    assert parse_gp2_notification(_wire(gp2_notification(note))) == note


@given(
    actions,
    st.lists(
        st.builds(
            ParticipantResult,
            users,
            st.sampled_from([0, 403, 404, 409]),
            st.none() | st.builds(AddRequest, words, seconds),
        ),
        max_size=4,
    ),
)
def test_participant_results_round_trip(
    action: ParticipantAction, results: list[ParticipantResult]
) -> None:
    request = group_request(ChangeParticipants(GROUP, action, (ALICE,)), "r2")
    answer = _wire(result_reply(request, [participant_results_node(action, results)]))
    assert parse_participant_results(answer, action) == tuple(results)


@given(st.lists(infos(), max_size=3))
def test_group_list_round_trips(infos_: list[GroupInfo]) -> None:
    request = group_request(ListGroups(), "r3")
    assert parse_groups(_wire(result_reply(request, [groups_node(infos_)]))) == tuple(infos_)


def test_create_matches_whatsmeow_shape() -> None:
    node = group_request(CreateGroup("Team", (BOB,), member_add_mode="admin_add", key="K1"), "r4")
    assert node.attrs == {"id": "r4", "xmlns": "w:g2", "type": "set", "to": GROUP_SERVER_JID}
    create = node.children[0]
    assert create.attrs == {"subject": "Team", "key": "K1"}
    assert [c.tag for c in create.children] == [
        "participant",
        "member_add_mode",
        "ephemeral",
        "membership_approval_mode",
    ]
    assert create.children[0].attrs == {"jid": BOB}
    assert create.children[3].children[0].attrs == {"state": "off"}


def test_baileys_create_without_settings_is_read() -> None:
    iq = Node(
        "iq",
        {"id": "1", "xmlns": "w:g2", "type": "set", "to": GROUP_SERVER_JID},
        [Node("create", {"subject": "S", "key": "K"}, [Node("participant", {"jid": BOB})])],
    )
    assert parse_group_request(iq) == CreateGroup("S", (BOB,), key="K")


def test_baileys_leave_and_delete_description_are_read() -> None:
    leave = Node(
        "iq",
        {"id": "1", "xmlns": "w:g2", "type": "set", "to": GROUP_SERVER_JID},
        [Node("leave", {}, [Node("group", {"id": str(GROUP)})])],
    )
    assert parse_group_request(leave) == LeaveGroups((GROUP,))
    delete = Node(
        "iq",
        {"id": "2", "xmlns": "w:g2", "type": "set", "to": GROUP},
        [Node("description", {"delete": "true", "prev": "D1"})],
    )
    assert parse_group_request(delete) == SetDescription(GROUP, None, "", "D1")


def test_participant_alt_identity_attribute_follows_the_family() -> None:
    info = GroupInfo(
        GROUP,
        "S",
        (
            GroupParticipant(ALICE, ParticipantRole.SUPERADMIN, ALICE_LID),
            GroupParticipant(ALICE_LID, ParticipantRole.ADMIN, ALICE),
        ),
    )
    first, second = group_node(info).get_children("participant")
    assert first.attrs == {"jid": ALICE, "type": "superadmin", "lid": ALICE_LID}
    assert second.attrs == {"jid": ALICE_LID, "type": "admin", "phone_number": ALICE}


def test_unimplemented_requests_parse_to_none() -> None:
    base = {"id": "1", "xmlns": "w:g2", "type": "get", "to": GROUP}
    assert parse_group_request(Node("iq", base, [Node("membership_approval_requests")])) is None
    sub = Node("iq", {**base, "type": "set"}, [Node("links")])
    assert parse_group_request(sub) is None


@pytest.mark.parametrize(
    "node",
    [
        Node("iq", {"id": "1", "xmlns": "w:g2", "type": "set", "to": ALICE}, [Node("locked")]),
        Node("iq", {"id": "1", "xmlns": "w:g2", "type": "result", "to": GROUP}, [Node("x")]),
        Node("iq", {"id": "1", "xmlns": "w:g2", "type": "set", "to": GROUP}, []),
        Node("iq", {"id": "1", "xmlns": "w:p", "type": "get", "to": GROUP}, [Node("query")]),
        Node(
            "iq",
            {"id": "1", "xmlns": "w:g2", "type": "set", "to": GROUP},
            [Node("ephemeral", {"expiration": "soon"})],
        ),
        Node(
            "iq",
            {"id": "1", "xmlns": "w:g2", "type": "set", "to": GROUP},
            [Node("add", {}, [Node("participant", {"jid": "a@b@c"})])],
        ),
    ],
)
def test_malformed_requests_are_refused(node: Node) -> None:
    with pytest.raises(DecodeError):
        parse_group_request(node)


def test_error_answers_raise_iq_error() -> None:
    request = group_request(QueryGroup(GROUP), "r5")
    with pytest.raises(IQError) as caught:
        parse_group_result(error_reply(request, 404))
    assert caught.value.code == 404


def test_invite_and_join_answers() -> None:
    request = group_request(GetInvite(GROUP), "r6")
    assert parse_invite_code(result_reply(request, [invite_node("AbC")])) == "AbC"
    join = group_request(JoinByCode("AbC"), "r7")
    for result in (JoinResult(GROUP), JoinResult(GROUP, pending_approval=True)):
        assert parse_join(_wire(result_reply(join, [join_node(result)]))) == result


def test_leave_is_read_as_remove_and_unknown_changes_are_kept() -> None:
    node = Node(
        "notification",
        {"from": GROUP, "type": "w:gp2", "id": "n", "t": "5", "participant": BOB},
        [Node("leave", {}, [Node("participant", {"jid": BOB})]), Node("suspended")],
    )
    note = parse_gp2_notification(node)
    assert note.changes == (
        ParticipantsChange(ParticipantAction.REMOVED, (GroupParticipant(BOB),)),
        UnknownChange(Node("suspended")),
    )


def test_notification_from_a_user_is_refused() -> None:
    node = Node("notification", {"from": BOB, "type": "w:gp2", "id": "n", "t": "5"}, [])
    with pytest.raises(DecodeError):
        parse_gp2_notification(node)


GROUP_TAGS = [
    "iq",
    "create",
    "participant",
    "group",
    "groups",
    "add",
    "remove",
    "promote",
    "demote",
    "leave",
    "subject",
    "description",
    "body",
    "delete",
    "ephemeral",
    "invite",
    "query",
    "membership_approval_mode",
    "group_join",
    "member_add_mode",
    "announcement",
    "locked",
    "notification",
    "add_request",
    "participating",
    "membership_approval_request",
]
GROUP_KEYS = [
    "id",
    "xmlns",
    "type",
    "to",
    "from",
    "t",
    "jid",
    "subject",
    "code",
    "expiration",
    "error",
    "state",
    "creation",
    "s_t",
    "s_o",
    "lid",
    "phone_number",
    "addressing_mode",
    "delete",
    "participant",
    "creator",
]
group_values = st.one_of(
    st.sampled_from(
        [
            "w:g2",
            "w:gp2",
            "get",
            "set",
            "result",
            "admin",
            "superadmin",
            "on",
            "off",
            "lid",
            "-3",
            "1",
            "x",
            "",
            "true",
            "99999999999999999999",
            "@@",
            "1@g.us",
        ]
    ),
    st.sampled_from([GROUP, GROUP_SERVER_JID, ALICE, ALICE_LID, JID("", "s.whatsapp.net")]),
)
hostile = st.recursive(
    st.builds(
        Node,
        st.sampled_from(GROUP_TAGS),
        st.dictionaries(st.sampled_from(GROUP_KEYS), group_values, max_size=5),
        st.one_of(st.none(), st.binary(max_size=12)),
    ),
    lambda children: st.builds(
        Node,
        st.sampled_from(GROUP_TAGS),
        st.dictionaries(st.sampled_from(GROUP_KEYS), group_values, max_size=5),
        st.lists(children, max_size=4),
    ),
    max_leaves=10,
)


@settings(max_examples=60)
@given(
    hostile,
    st.sampled_from(
        [
            parse_group_request,
            parse_gp2_notification,
            parse_group,
            parse_group_result,
            parse_groups,
            parse_invite_code,
            parse_join,
            lambda node: parse_participant_results(node, ParticipantAction.ADDED),
        ]
    ),
)
def test_readers_raise_only_decode_errors(node: Node, reader: Callable[[Node], object]) -> None:
    with contextlib.suppress(DecodeError, IQError):
        reader(node)


@settings(max_examples=60)
@given(st.sampled_from(["get", "set"]), st.sampled_from([GROUP, GROUP_SERVER_JID]), hostile)
def test_requests_with_hostile_content_raise_only_decode_errors(
    kind: str, to: JID, child: Node
) -> None:
    envelope = Node("iq", {"id": "1", "xmlns": "w:g2", "type": kind, "to": to}, [child])
    with contextlib.suppress(DecodeError):
        parse_group_request(envelope)


@settings(max_examples=60)
@given(st.lists(hostile, max_size=3))
def test_notifications_with_hostile_changes_raise_only_decode_errors(changes: list[Node]) -> None:
    attrs = {"from": GROUP, "type": "w:gp2", "id": "n", "t": "1", "participant": ALICE}
    with contextlib.suppress(DecodeError):
        parse_gp2_notification(Node("notification", attrs, changes))
