"""The ``<group>`` element and its ``<participant>`` children (PROTOCOL.md §13.2).

::

    <group id="<digits>" creator subject s_t s_o creation size addressing_mode [p_v_id]>
      <participant jid [type="admin|superadmin"] [lid|phone_number]/>…
      [<description id participant t><body>text</body></description>]
      [<announcement/>] [<locked/>] [<ephemeral expiration/>]
      [<member_add_mode>mode</member_add_mode>] [<membership_approval_mode/>]
    </group>

``id`` is the bare user part of the group JID. A participant's other identity goes in ``lid``
when it is named by phone number and in ``phone_number`` when it is named by LID.
:func:`group_node` and :func:`parse_group` are inverse on :class:`GroupInfo` values whose
``created_at`` is a whole number of seconds.
"""

from __future__ import annotations

from botkit.core.binary import AttrReader, Node
from botkit.errors import DecodeError
from botkit.types.group import AddressingMode, GroupInfo, GroupParticipant, ParticipantRole
from botkit.types.jid import GROUP_SERVER, JID

__all__ = ["group_node", "parse_group", "parse_participant", "participant_node", "text_content"]

_ROLES = {role.value: role for role in ParticipantRole}
_MODES = {mode.value: mode for mode in AddressingMode}


def participant_node(participant: GroupParticipant, **attrs: str | JID) -> Node:
    """Return ``<participant jid [type] [lid|phone_number]>`` for ``participant``.

    ``attrs`` adds attributes such as ``error`` (in per-participant results).
    """
    node_attrs: dict[str, str | JID] = {"jid": participant.jid}
    if participant.role is not ParticipantRole.MEMBER:
        node_attrs["type"] = participant.role.value
    if participant.alt is not None:
        node_attrs["phone_number" if participant.jid.is_lid else "lid"] = participant.alt
    node_attrs.update(attrs)
    return Node("participant", node_attrs)


def parse_participant(node: Node) -> GroupParticipant:
    """Return the participant a ``<participant>`` node describes.

    Raises:
        DecodeError: ``jid`` is missing or not a JID, ``type`` is not a known role, or the
            alternative identity is not a JID.
    """
    reader = AttrReader(node)
    jid = reader.jid("jid")
    role_name = reader.optional_string("type")
    alt = reader.optional_jid("phone_number" if jid.is_lid else "lid")
    reader.raise_if_errors()
    role = ParticipantRole.MEMBER if role_name is None else _ROLES.get(role_name)
    if role is None:
        raise DecodeError(f"<participant> has an unknown type {role_name!r}")
    return GroupParticipant(jid, role, alt)


def group_node(info: GroupInfo) -> Node:
    """Return the ``<group>`` element describing ``info``."""
    attrs: dict[str, str | JID] = {"id": info.jid.user}
    if info.owner is not None:
        attrs["creator"] = info.owner
    attrs["subject"] = info.subject
    attrs["s_t"] = str(info.subject_time)
    if info.subject_owner is not None:
        attrs["s_o"] = info.subject_owner
    attrs["creation"] = str(int(info.created_at))
    attrs["size"] = str(len(info.participants))
    attrs["addressing_mode"] = info.addressing_mode.value
    children = [participant_node(p) for p in info.participants]
    if info.description_id:
        desc: dict[str, str | JID] = {"id": info.description_id}
        if info.description_owner is not None:
            desc["participant"] = info.description_owner
        desc["t"] = str(info.description_time)
        body = Node("body", {}, info.description.encode())
        children.append(Node("description", desc, [body]))
    if info.announce:
        children.append(Node("announcement"))
    if info.locked:
        children.append(Node("locked"))
    if info.ephemeral:
        children.append(Node("ephemeral", {"expiration": str(info.ephemeral)}))
    if info.member_add_mode:
        children.append(Node("member_add_mode", {}, info.member_add_mode.encode()))
    if info.approval:
        children.append(Node("membership_approval_mode"))
    return Node("group", attrs, children)


def text_content(node: Node | None) -> str:
    """Return the UTF-8 text content of ``node`` ("" when absent or empty).

    Raises:
        DecodeError: the content is child nodes or not UTF-8.
    """
    if node is None or node.content is None:
        return ""
    if not isinstance(node.content, bytes):
        raise DecodeError(f"<{node.tag}> must hold text")
    try:
        return node.content.decode()
    except UnicodeDecodeError as exc:
        raise DecodeError(f"<{node.tag}> is not UTF-8") from exc


def parse_group(node: Node) -> GroupInfo:
    """Return the group a ``<group>`` element describes (unknown children are ignored).

    Raises:
        DecodeError: the node is not a ``<group>``, ``id`` is missing, an attribute or a
            participant is malformed, or the description is not text.
    """
    if node.tag != "group":
        raise DecodeError(f"expected <group>, got <{node.tag}>")
    reader = AttrReader(node)
    group_id = reader.string("id")
    owner = reader.optional_jid("creator")
    subject_owner = reader.optional_jid("s_o")
    subject_time = reader.optional_int("s_t") or 0
    created = reader.optional_int("creation") or 0
    mode_name = reader.optional_string("addressing_mode") or AddressingMode.PN.value
    reader.raise_if_errors()
    mode = _MODES.get(mode_name)
    if mode is None:
        raise DecodeError(f"<group> has an unknown addressing_mode {mode_name!r}")
    jid = JID(group_id.split("@")[0], GROUP_SERVER)
    description = node.get_child("description")
    desc_reader = AttrReader(description or Node("description"))
    description_id = desc_reader.optional_string("id") or ""
    description_owner = desc_reader.optional_jid("participant")
    description_time = desc_reader.optional_int("t") or 0
    desc_reader.raise_if_errors()
    ephemeral = node.get_child("ephemeral")
    expiration = 0
    if ephemeral is not None:
        eph_reader = AttrReader(ephemeral)
        expiration = eph_reader.optional_int("expiration") or 0
        eph_reader.raise_if_errors()
    return GroupInfo(
        jid=jid,
        subject=reader.optional_string("subject") or "",
        participants=tuple(parse_participant(p) for p in node.get_children("participant")),
        description=text_content(None if description is None else description.get_child("body")),
        owner=owner,
        announce=node.get_child("announcement") is not None,
        locked=node.get_child("locked") is not None,
        created_at=float(created),
        ephemeral=expiration,
        approval=node.get_child("membership_approval_mode") is not None,
        addressing_mode=mode,
        member_add_mode=text_content(node.get_child("member_add_mode")),
        subject_owner=subject_owner,
        subject_time=subject_time,
        description_id=description_id,
        description_owner=description_owner,
        description_time=description_time,
    )
