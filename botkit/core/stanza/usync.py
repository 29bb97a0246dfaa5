"""The usync device query: which devices each user has, and their LIDs (PROTOCOL.md §9.3).

The query asks with ``context="message"`` for ``<devices version="2"/>`` and ``<lid/>`` of
non-device user JIDs. Each answered user lists its devices; a device other than 0 counts only
with a ``key-index`` (Baileys and the real server drop it otherwise), and ``is_hosted="true"``
moves a device to the hosted server. A ``<lid val>`` maps a phone-number user to its LID.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from botkit.core.binary import AttrReader, Node
from botkit.core.stanza.iq import iq, iq_error, result_payload
from botkit.errors import DecodeError, IQError
from botkit.types.jid import HIDDEN_USER_SERVER, HOSTED_LID_SERVER, HOSTED_SERVER, JID

__all__ = ["UserDevices", "device_query", "parse_device_result"]

_HOSTED = {HIDDEN_USER_SERVER: HOSTED_LID_SERVER}


@dataclass(frozen=True, slots=True)
class UserDevices:
    """One user of a usync answer.

    ``devices`` are device JIDs on the user's server (device 0 as a plain JID), in the order
    listed; ``lid`` is the user's LID when the answer gave one; ``key_index_list`` is the raw
    ``ADVSignedKeyIndexList`` when present; ``error`` is set (and ``devices`` empty) when the
    server could not answer for this user.
    """

    user: JID
    devices: tuple[JID, ...] = ()
    lid: JID | None = None
    key_index_list: bytes | None = None
    error: IQError | None = None


def device_query(users: Sequence[JID], *, request_id: str, sid: str) -> Node:
    """Return the ``usync`` IQ asking for the devices and LIDs of ``users``.

    Devices and agents are stripped: usync asks about users.
    """
    usync = Node(
        "usync",
        {"sid": sid, "mode": "query", "last": "true", "index": "0", "context": "message"},
        [
            Node("query", {}, [Node("devices", {"version": "2"}), Node("lid")]),
            Node("list", {}, [Node("user", {"jid": user.to_non_ad()}) for user in users]),
        ],
    )
    return iq("usync", "get", request_id, [usync])


def _device_jid(user: JID, reader: AttrReader) -> JID | None:
    device_id = reader.int("id")
    key_index = reader.optional_int("key-index")
    hosted = reader.optional_bool("is_hosted")
    if not reader.ok or not 0 <= device_id <= 0xFFFF or (device_id != 0 and key_index is None):
        return None
    server = user.server
    if hosted:
        server = _HOSTED.get(user.server, HOSTED_SERVER)
    return JID(user.user, server, device_id)


def _user_devices(node: Node) -> UserDevices:
    reader = AttrReader(node)
    user = reader.jid("jid")
    reader.raise_if_errors()
    devices_node = node.get_child("devices")
    lid_node = node.get_child("lid")
    lid = None
    if lid_node is not None:
        lid_reader = AttrReader(lid_node)
        lid = lid_reader.optional_jid("val")
        lid_reader.raise_if_errors()
    if devices_node is None:
        return UserDevices(user.to_non_ad(), lid=lid)
    if devices_node.get_child("error") is not None:
        return UserDevices(user.to_non_ad(), lid=lid, error=iq_error(devices_node))
    devices: list[JID] = []
    for device in (devices_node.get_child("device-list") or Node("device-list")).children:
        if device.tag == "device":
            jid = _device_jid(user, AttrReader(device))
            if jid is not None and jid not in devices:
                devices.append(jid)
    key_index = devices_node.get_child("key-index-list")
    raw = key_index.content if key_index is not None else None
    return UserDevices(
        user.to_non_ad(),
        tuple(devices),
        lid,
        raw if isinstance(raw, bytes) else None,
    )


def parse_device_result(answer: Node) -> tuple[UserDevices, ...]:
    """Return the users of a usync answer, in the order the server listed them.

    Devices without a ``key-index`` (other than device 0) and malformed device entries are left
    out, as peers do.

    Raises:
        IQError: the answer is an IQ error.
        DecodeError: the answer has no ``<usync><list>``, or a user has no valid ``jid`` or
            ``<lid val>``.
    """
    usync = result_payload(answer).get_child("usync")
    listed = usync.get_child("list") if usync is not None else None
    if listed is None:
        raise DecodeError("a usync answer needs <usync><list>")
    return tuple(_user_devices(user) for user in listed.children if user.tag == "user")
