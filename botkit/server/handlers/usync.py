"""The ``usync`` namespace (PROTOCOL.md §9.3): device lists, LIDs and contact lookups.

Each requested protocol in ``<query>`` adds one child to every ``<user>`` of the answer:
``devices`` (device 0 plus each companion with its ``key-index``), ``lid`` (``<lid val/>``),
``contact`` (``type="in"`` for a known account, ``"out"`` otherwise), ``status`` and
``disappearing_mode`` (empty defaults). Unknown users get only a ``contact`` child.
"""

from __future__ import annotations

from botkit.core.binary import AttrReader, Node
from botkit.core.stanza.iq import error_reply, result_reply
from botkit.errors import DecodeError
from botkit.server.handlers.base import IqContext
from botkit.server.world import Account
from botkit.types.jid import DEFAULT_USER_SERVER, JID

__all__ = ["handle_usync"]


def _devices(account: Account) -> Node:
    entries = [Node("device", {"id": "0"})]
    for device_id in sorted(account.devices):
        key_index = str(account.devices[device_id].key_index)
        entries.append(Node("device", {"id": str(device_id), "key-index": key_index}))
    return Node("devices", {}, [Node("device-list", {}, entries)])


def _contact_jid(user: Node) -> JID | None:
    """Return the PN JID of a ``<user><contact>+digits</contact></user>`` entry, or None."""
    contact = user.get_child("contact")
    if contact is None or not isinstance(contact.content, bytes):
        return None
    text = contact.content.decode("utf-8", "replace").split("@")[0].lstrip("+")
    digits = "".join(ch for ch in text if ch.isdigit())
    return JID(digits, DEFAULT_USER_SERVER) if digits else None


def _user(ctx: IqContext, user: Node, protocols: list[Node]) -> Node:
    """Return the answer ``<user>`` for one requested user."""
    reader = AttrReader(user)
    asked = reader.optional_jid("jid") or _contact_jid(user)
    if asked is None:
        raise DecodeError("a usync user has neither a jid nor a contact")
    account = ctx.world.account_of(asked)
    attrs: dict[str, str | JID] = {"jid": asked}
    children: list[Node] = []
    for protocol in protocols:
        if protocol.tag == "contact":
            if account is not None and protocol.attrs.get("addressing_mode") == "lid":
                attrs = {"jid": account.lid, "pn_jid": account.jid}
            contact = user.get_child("contact")
            query = contact.content if contact is not None else None
            kind = "in" if account is not None else "out"
            children.append(Node("contact", {"type": kind}, query))
        elif account is None:
            continue
        elif protocol.tag == "devices":
            children.append(_devices(account))
        elif protocol.tag == "lid":
            children.append(Node("lid", {"val": account.lid}))
        elif protocol.tag == "status":
            children.append(Node("status", {"t": "0"}, b""))
        elif protocol.tag == "disappearing_mode":
            children.append(Node("disappearing_mode", {"duration": "0", "t": "0"}))
    return Node("user", attrs, children)


async def handle_usync(ctx: IqContext, iq: Node) -> Node:
    """Answer a ``usync`` query (see the module docstring)."""
    if ctx.device is None:
        return error_reply(iq, 401, "not-authorized")
    usync = iq.get_child("usync")
    query = None if usync is None else usync.get_child("query")
    if usync is None or query is None:
        return error_reply(iq, 400, "bad-request")
    listed = usync.get_child("list")
    try:
        users = [_user(ctx, user, query.children) for user in (listed or Node("list")).children]
    except DecodeError:
        return error_reply(iq, 400, "bad-request")
    attrs = {key: value for key, value in usync.attrs.items() if key in ("sid", "mode", "context")}
    attrs.update({"index": "0", "last": "true"})
    result = Node("result", {}, [Node(protocol.tag) for protocol in query.children])
    return result_reply(iq, [Node("usync", attrs, [result, Node("list", {}, users)])])
