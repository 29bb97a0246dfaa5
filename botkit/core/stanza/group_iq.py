"""The ``w:g2`` group requests on the wire, both ways (PROTOCOL.md §13.1).

The request values are in :mod:`botkit.core.stanza.group_requests`. A client turns one into
an ``<iq xmlns="w:g2">`` with :func:`group_request`; a server reads one back with
:func:`parse_group_request`. Per-group requests go ``to`` the group JID, the others (create,
list, leave, invite codes) to the ``g.us`` server::

    create        set  g.us  <create subject [key]><participant jid/>… [settings]</create>
    query         get  gid   <query request="interactive"/>
    participating get  g.us  <participating><participants/><description/></participating>
    add|remove|promote|demote  set gid  <add><participant jid/>…</add>
    subject       set  gid   <subject>name</subject>
    description   set  gid   <description id [prev]><body>text</body></description>
                             | <description [id] [prev] delete="true"/>
    announcement | not_announcement | locked | unlocked     set gid  (empty element)
    ephemeral     set  gid   <ephemeral expiration="s"/> | <not_ephemeral/>
    approval      set  gid   <membership_approval_mode><group_join state="on|off"/></…>
    add mode      set  gid   <member_add_mode>admin_add|all_member_add</member_add_mode>
    invite code   get|set gid <invite/>   (set revokes the old code and makes a new one)
    invite info   get  g.us  <invite code/>
    join by code  set  g.us  <invite code/>
    leave         set  g.us  <leave><group id="gid"/>…</leave>

The answers are in :mod:`botkit.core.stanza.group_result`.
"""

from __future__ import annotations

from typing import Literal

from botkit.core.binary import AttrReader, Node
from botkit.core.stanza.group_info import text_content
from botkit.core.stanza.group_requests import (
    GROUP_XMLNS,
    ChangeParticipants,
    CreateGroup,
    GetInvite,
    GroupRequest,
    InviteInfo,
    JoinByCode,
    LeaveGroups,
    ListGroups,
    QueryGroup,
    SetAnnounce,
    SetApproval,
    SetDescription,
    SetEphemeral,
    SetLocked,
    SetMemberAddMode,
    SetSubject,
)
from botkit.core.stanza.iq import iq
from botkit.errors import DecodeError
from botkit.types.events import ParticipantAction
from botkit.types.jid import GROUP_SERVER, GROUP_SERVER_JID, JID

__all__ = ["group_request", "parse_group_request"]

_SWITCHES = {
    SetAnnounce: ("announcement", "not_announcement"),
    SetLocked: ("locked", "unlocked"),
}
_SWITCH_TAGS: dict[str, type[SetAnnounce] | type[SetLocked]] = {
    "announcement": SetAnnounce,
    "not_announcement": SetAnnounce,
    "locked": SetLocked,
    "unlocked": SetLocked,
}
_ACTIONS = {action.value: action for action in ParticipantAction}


def _participants(jids: tuple[JID, ...]) -> list[Node]:
    return [Node("participant", {"jid": jid}) for jid in jids]


def _approval(on: bool) -> Node:
    state = "on" if on else "off"
    return Node("membership_approval_mode", {}, [Node("group_join", {"state": state})])


def _create(request: CreateGroup) -> Node:
    attrs: dict[str, str | JID] = {"subject": request.subject}
    if request.key:
        attrs["key"] = request.key
    children = _participants(request.participants)
    if request.member_add_mode:
        children.append(Node("member_add_mode", {}, request.member_add_mode.encode()))
    if request.locked:
        children.append(Node("locked"))
    if request.announce:
        children.append(Node("announcement"))
    children.append(Node("ephemeral", {"expiration": str(request.ephemeral)}))
    children.append(_approval(request.approval))
    return Node("create", attrs, children)


def _content(request: GroupRequest) -> tuple[Literal["get", "set"], JID, Node]:
    """Return the IQ type, addressee and child of ``request``."""
    match request:
        case CreateGroup():
            return "set", GROUP_SERVER_JID, _create(request)
        case QueryGroup(group):
            return "get", group, Node("query", {"request": "interactive"})
        case ListGroups():
            children = [Node("participants"), Node("description")]
            return "get", GROUP_SERVER_JID, Node("participating", {}, children)
        case ChangeParticipants(group, action, jids):
            return "set", group, Node(action.value, {}, _participants(jids))
        case SetSubject(group, subject):
            return "set", group, Node("subject", {}, subject.encode())
        case SetDescription(group, text, description_id, previous):
            attrs: dict[str, str | JID] = {}
            if description_id:
                attrs["id"] = description_id
            if previous:
                attrs["prev"] = previous
            if text is None:
                attrs["delete"] = "true"
                return "set", group, Node("description", attrs)
            return "set", group, Node("description", attrs, [Node("body", {}, text.encode())])
        case SetAnnounce(group, on) | SetLocked(group, on):
            on_tag, off_tag = _SWITCHES[type(request)]
            return "set", group, Node(on_tag if on else off_tag)
        case SetEphemeral(group, seconds):
            if seconds:
                return "set", group, Node("ephemeral", {"expiration": str(seconds)})
            return "set", group, Node("not_ephemeral")
        case SetApproval(group, on):
            return "set", group, _approval(on)
        case SetMemberAddMode(group, mode):
            return "set", group, Node("member_add_mode", {}, mode.encode())
        case GetInvite(group, reset):
            return ("set" if reset else "get"), group, Node("invite")
        case InviteInfo(code):
            return "get", GROUP_SERVER_JID, Node("invite", {"code": code})
        case JoinByCode(code):
            return "set", GROUP_SERVER_JID, Node("invite", {"code": code})
        case LeaveGroups(groups):
            leave = [Node("group", {"id": group}) for group in groups]
            return "set", GROUP_SERVER_JID, Node("leave", {}, leave)


def group_request(request: GroupRequest, request_id: str) -> Node:
    """Return the ``<iq xmlns="w:g2">`` asking for ``request``."""
    kind, to, child = _content(request)
    return iq(GROUP_XMLNS, kind, request_id, [child], to=to)


def _jids(node: Node) -> tuple[JID, ...]:
    jids = []
    for child in node.get_children("participant"):
        reader = AttrReader(child)
        jids.append(reader.jid("jid"))
        reader.raise_if_errors()
    return tuple(jids)


def _flag(node: Node) -> bool:
    join = node.get_child("group_join")
    state = None if join is None else join.attrs.get("state")
    if state not in ("on", "off"):
        raise DecodeError("<membership_approval_mode> needs <group_join state=on|off>")
    return state == "on"


def _expiration(node: Node) -> int:
    reader = AttrReader(node)
    seconds = reader.int("expiration")
    reader.raise_if_errors()
    if seconds < 0:
        raise DecodeError("a negative ephemeral expiration")
    return seconds


def _parse_create(node: Node) -> CreateGroup:
    reader = AttrReader(node)
    subject = reader.optional_string("subject") or ""
    key = reader.optional_string("key") or ""
    reader.raise_if_errors()
    ephemeral = node.get_child("ephemeral")
    approval = node.get_child("membership_approval_mode")
    return CreateGroup(
        subject=subject,
        participants=_jids(node),
        announce=node.get_child("announcement") is not None,
        locked=node.get_child("locked") is not None,
        ephemeral=0 if ephemeral is None else _expiration(ephemeral),
        approval=False if approval is None else _flag(approval),
        member_add_mode=text_content(node.get_child("member_add_mode")),
        key=key,
    )


def _group_id(node: Node) -> JID:
    value = node.attrs.get("id")
    if isinstance(value, JID):
        return value
    if not isinstance(value, str) or not value:
        raise DecodeError("<leave><group> needs an id")
    return JID.parse(value) if "@" in value else JID(value, GROUP_SERVER)


def _parse_global(kind: str, child: Node) -> GroupRequest | None:
    code = child.attrs.get("code")
    match kind, child.tag:
        case "set", "create":
            return _parse_create(child)
        case "get", "participating":
            return ListGroups()
        case "get", "invite" if isinstance(code, str) and code:
            return InviteInfo(code)
        case "set", "invite" if isinstance(code, str) and code:
            return JoinByCode(code)
        case "set", "leave":
            groups = tuple(_group_id(group) for group in child.get_children("group"))
            if not groups:
                raise DecodeError("<leave> names no group")
            return LeaveGroups(groups)
    return None


def _parse_description(group: JID, child: Node) -> SetDescription:
    reader = AttrReader(child)
    description_id = reader.optional_string("id") or ""
    previous = reader.optional_string("prev") or ""
    deleting = reader.optional_bool("delete") or False
    reader.raise_if_errors()
    body = child.get_child("body")
    if deleting or body is None:
        return SetDescription(group, None, description_id, previous)
    return SetDescription(group, text_content(body), description_id, previous)


def _parse_for_group(kind: str, group: JID, child: Node) -> GroupRequest | None:
    tag = child.tag
    if kind == "get":
        if tag == "query" and not child.children:
            return QueryGroup(group)
        return GetInvite(group) if tag == "invite" and not child.attrs else None
    if tag in _ACTIONS:
        return ChangeParticipants(group, _ACTIONS[tag], _jids(child))
    if tag in _SWITCH_TAGS:
        return _SWITCH_TAGS[tag](group, not tag.startswith(("not_", "un")))
    match tag:
        case "subject":
            return SetSubject(group, text_content(child))
        case "description":
            return _parse_description(group, child)
        case "ephemeral":
            return SetEphemeral(group, _expiration(child))
        case "not_ephemeral":
            return SetEphemeral(group, 0)
        case "membership_approval_mode":
            return SetApproval(group, _flag(child))
        case "member_add_mode":
            return SetMemberAddMode(group, text_content(child))
        case "invite" if not child.attrs:
            return GetInvite(group, reset=True)
    return None


def parse_group_request(node: Node) -> GroupRequest | None:
    """Return the request a ``w:g2`` IQ asks for (a server's job).

    Returns:
        The request, or ``None`` for a well-formed ``w:g2`` IQ botkit does not implement
        (communities, join-request lists, invite messages...): answer it with 501.

    Raises:
        DecodeError: the node is not a ``get``/``set`` ``<iq xmlns="w:g2">`` with one child
            addressed to a group or to ``g.us``, or that child is malformed.
    """
    if node.tag != "iq" or node.attrs.get("xmlns") != GROUP_XMLNS:
        raise DecodeError(f"expected <iq xmlns={GROUP_XMLNS}>, got <{node.tag}>")
    reader = AttrReader(node)
    kind = reader.string("type")
    to = reader.jid("to")
    reader.raise_if_errors()
    if kind not in ("get", "set"):
        raise DecodeError(f"a w:g2 request of type {kind!r}")
    if len(node.children) != 1:
        raise DecodeError(f"a w:g2 request with {len(node.children)} children, not 1")
    child = node.children[0]
    if to.server != GROUP_SERVER:
        raise DecodeError(f"a w:g2 request to {to}, not a group or g.us")
    if not to.user:
        return _parse_global(kind, child)
    return _parse_for_group(kind, to, child)
