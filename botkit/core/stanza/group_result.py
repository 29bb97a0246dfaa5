"""The answers to ``w:g2`` requests, both ways (PROTOCOL.md §13.1).

A server builds the payload of its result IQ with the ``*_node`` functions; a client reads a
result IQ with the ``parse_*`` functions, which raise :class:`~botkit.errors.IQError` for an
error answer::

    create, query, invite info   <group …/>                               (see group_info)
    participating                <groups><group …/>…</groups>
    add|remove|promote|demote    <add><participant jid [error]>[<add_request code expiration/>]
                                 </participant>…</add>
    invite code                  <invite code/>
    join by code                 <group jid/>  or  <membership_approval_request jid/>

A participant result without ``error`` succeeded. The codes in use (PROTOCOL.md §13.2, not
enumerated by WhatsApp): 403 the user's privacy forbids a direct add (an ``add_request`` lets
the admin send an invite instead), 404 not a WhatsApp user or not in the group, 409 already
a participant (or already has that role), 401 not allowed, 408 recently left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from botkit.core.binary import AttrReader, Node
from botkit.core.stanza.group_info import group_node, parse_group
from botkit.core.stanza.iq import result_payload
from botkit.errors import DecodeError
from botkit.types.events import ParticipantAction
from botkit.types.group import GroupInfo
from botkit.types.jid import JID

__all__ = [
    "INVITE_LINK_PREFIX",
    "AddRequest",
    "JoinResult",
    "ParticipantResult",
    "groups_node",
    "invite_node",
    "join_node",
    "parse_group_result",
    "parse_groups",
    "parse_invite_code",
    "parse_join",
    "parse_participant_results",
    "participant_results_node",
]

#: What an invite code is appended to, to make a link.
INVITE_LINK_PREFIX = "https://chat.whatsapp.com/"


@dataclass(frozen=True, slots=True)
class AddRequest:
    """An invite to send instead of a refused add: ``code``, valid until ``expiration``."""

    code: str
    expiration: int


@dataclass(frozen=True, slots=True)
class ParticipantResult:
    """What a participants request did to one participant: ``error`` 0 means it succeeded."""

    jid: JID
    error: int = 0
    add_request: AddRequest | None = None

    @property
    def ok(self) -> bool:
        """True when the change was made for this participant."""
        return self.error == 0


@dataclass(frozen=True, slots=True)
class JoinResult:
    """The answer to a join by code: the group, and whether an admin must approve first."""

    group: JID
    pending_approval: bool = False


def _payload(answer: Node, tag: str) -> Node:
    """Return the ``tag`` child of a result IQ.

    Raises:
        IQError: the answer is an error.
        DecodeError: the answer is no IQ result or has no ``tag`` child.
    """
    child = result_payload(answer).get_child(tag)
    if child is None:
        raise DecodeError(f"a w:g2 result without <{tag}>")
    return child


def parse_group_result(answer: Node) -> GroupInfo:
    """Return the group of a create, query or invite-info answer.

    Raises:
        IQError: the server refused (404 no such group, 403 not a member, 410 revoked...).
        DecodeError: the answer holds no valid ``<group>``.
    """
    return parse_group(_payload(answer, "group"))


def groups_node(groups: Sequence[GroupInfo]) -> Node:
    """Return ``<groups>`` listing ``groups`` (the answer to ``participating``)."""
    return Node("groups", {}, [group_node(info) for info in groups])


def parse_groups(answer: Node) -> tuple[GroupInfo, ...]:
    """Return the groups of a ``participating`` answer.

    Raises:
        IQError: the server refused.
        DecodeError: the answer has no ``<groups>`` or a group is malformed.
    """
    return tuple(parse_group(g) for g in _payload(answer, "groups").get_children("group"))


def participant_results_node(
    action: ParticipantAction, results: Sequence[ParticipantResult]
) -> Node:
    """Return ``<add|remove|promote|demote>`` with one ``<participant>`` per result."""
    children = []
    for result in results:
        attrs: dict[str, str | JID] = {"jid": result.jid}
        if result.error:
            attrs["error"] = str(result.error)
        content = None
        if result.add_request is not None:
            request = result.add_request
            expiration = str(request.expiration)
            content = [Node("add_request", {"code": request.code, "expiration": expiration})]
        children.append(Node("participant", attrs, content))
    return Node(action.value, {}, children)


def parse_participant_results(
    answer: Node, action: ParticipantAction
) -> tuple[ParticipantResult, ...]:
    """Return the per-participant results of a participants answer.

    Raises:
        IQError: the whole request was refused (403 not an admin, 404 no such group...).
        DecodeError: the answer has no ``<action>`` child or a participant is malformed.
    """
    results = []
    for child in _payload(answer, action.value).get_children("participant"):
        reader = AttrReader(child)
        jid = reader.jid("jid")
        error = reader.optional_int("error") or 0
        reader.raise_if_errors()
        add_request = None
        request = child.get_child("add_request")
        if request is not None:
            request_reader = AttrReader(request)
            code = request_reader.string("code")
            expiration = request_reader.int("expiration")
            request_reader.raise_if_errors()
            add_request = AddRequest(code, expiration)
        results.append(ParticipantResult(jid, error, add_request))
    return tuple(results)


def invite_node(code: str) -> Node:
    """Return ``<invite code/>`` (the answer to an invite-code request)."""
    return Node("invite", {"code": code})


def parse_invite_code(answer: Node) -> str:
    """Return the invite code of an invite-code answer.

    Raises:
        IQError: the server refused (401/403 not an admin, 404 no such group).
        DecodeError: the answer has no ``<invite code>``.
    """
    reader = AttrReader(_payload(answer, "invite"))
    code = reader.string("code")
    reader.raise_if_errors()
    if not code:
        raise DecodeError("an empty invite code")
    return code


def join_node(result: JoinResult) -> Node:
    """Return the answer to a join by code: ``<group jid/>`` or the pending request."""
    tag = "membership_approval_request" if result.pending_approval else "group"
    return Node(tag, {"jid": result.group})


def parse_join(answer: Node) -> JoinResult:
    """Return the group a join by code joined (or asked to join).

    Raises:
        IQError: the server refused (406 invalid code, 410 revoked...).
        DecodeError: the answer names no group.
    """
    payload = result_payload(answer)
    pending = payload.get_child("membership_approval_request")
    node = pending if pending is not None else payload.get_child("group")
    if node is None:
        raise DecodeError("a join answer without <group>")
    reader = AttrReader(node)
    group = reader.jid("jid")
    reader.raise_if_errors()
    return JoinResult(group, pending is not None)
