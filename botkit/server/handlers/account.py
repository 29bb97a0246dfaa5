"""Small per-account namespaces: ``w:p`` ping, ``passive``, ``abt`` props, ``blocklist``,
``privacy`` and ``md`` (companion removal and phone-code linking).
"""

from __future__ import annotations

import hashlib

from botkit.core.binary import AttrReader, Node
from botkit.core.stanza.iq import error_reply, result_reply
from botkit.server.handlers.base import IqContext
from botkit.server.world import Account

__all__ = [
    "DEFAULT_PRIVACY",
    "handle_abt",
    "handle_blocklist",
    "handle_md",
    "handle_passive",
    "handle_ping",
    "handle_privacy",
]

DEFAULT_PRIVACY = {
    "readreceipts": "all",
    "last": "all",
    "online": "all",
    "profile": "all",
    "status": "contacts",
    "groupadd": "all",
    "calladd": "all",
    "messages": "all",
}
_PROPS_HASH = "sandbox-1"


async def handle_ping(ctx: IqContext, iq: Node) -> Node:
    """Answer a ``w:p`` keep-alive with an empty result."""
    return result_reply(iq)


async def handle_passive(ctx: IqContext, iq: Node) -> Node:
    """Answer ``passive`` ``<active/>`` or ``<passive/>`` with an empty result."""
    if ctx.device is None:
        return error_reply(iq, 401, "not-authorized")
    if iq.get_child("active") is None and iq.get_child("passive") is None:
        return error_reply(iq, 400, "bad-request")
    return result_reply(iq)


async def handle_abt(ctx: IqContext, iq: Node) -> Node:
    """Answer an ``abt`` props query: no A/B props, a fixed hash."""
    if iq.get_child("props") is None:
        return error_reply(iq, 501, "feature-not-implemented")
    return result_reply(iq, [Node("props", {"protocol": "1", "hash": _PROPS_HASH}, [])])


def _blocklist(account: Account) -> Node:
    items = [Node("item", {"jid": jid}) for jid in sorted(account.blocklist, key=str)]
    dhash = hashlib.sha1(
        ",".join(sorted(map(str, account.blocklist))).encode(), usedforsecurity=False
    ).hexdigest()
    return Node("list", {"dhash": dhash}, items)


async def handle_blocklist(ctx: IqContext, iq: Node) -> Node:
    """Answer ``blocklist`` get (the list) and set (``<item jid action="block|unblock"/>``)."""
    account = ctx.account
    if account is None:
        return error_reply(iq, 401, "not-authorized")
    if iq.attrs.get("type") == "set":
        item = iq.get_child("item")
        reader = AttrReader(item) if item is not None else None
        if reader is None:
            return error_reply(iq, 400, "bad-request")
        jid, action = reader.jid("jid"), reader.string("action")
        if not reader.ok or action not in ("block", "unblock"):
            return error_reply(iq, 400, "bad-request")
        if action == "block":
            account.blocklist.add(jid.to_non_ad())
        else:
            account.blocklist.discard(jid.to_non_ad())
    return result_reply(iq, [_blocklist(account)])


async def handle_privacy(ctx: IqContext, iq: Node) -> Node:
    """Answer ``privacy``: get the categories, set one or more, or accept ``<tokens>``."""
    account = ctx.account
    if account is None:
        return error_reply(iq, 401, "not-authorized")
    settings = {**DEFAULT_PRIVACY, **account.privacy}
    if iq.attrs.get("type") == "set" and iq.get_child("tokens") is not None:
        return result_reply(iq)
    privacy = iq.get_child("privacy")
    if privacy is None:
        return error_reply(iq, 400, "bad-request")
    if iq.attrs.get("type") == "set":
        changed = []
        for category in privacy.get_children("category"):
            name, value = category.attrs.get("name"), category.attrs.get("value")
            if not isinstance(name, str) or not isinstance(value, str):
                return error_reply(iq, 400, "bad-request")
            account.privacy[name] = value
            changed.append(Node("category", {"name": name, "value": value}))
        return result_reply(iq, [Node("privacy", {}, changed)])
    categories = [Node("category", {"name": k, "value": v}) for k, v in settings.items()]
    return result_reply(iq, [Node("privacy", {}, categories)])


async def handle_md(ctx: IqContext, iq: Node) -> Node:
    """Answer ``md``: ``remove-companion-device`` (own devices only) and phone-code linking."""
    if iq.get_child("link_code_companion_reg") is not None:
        return await ctx.linking.link_code_stage(ctx.session, iq)
    remove = iq.get_child("remove-companion-device")
    account = ctx.account
    if remove is None:
        return error_reply(iq, 501, "feature-not-implemented")
    if account is None:
        return error_reply(iq, 401, "not-authorized")
    reader = AttrReader(remove)
    jid = reader.jid("jid")
    if not reader.ok or ctx.world.account_of(jid) is not account:
        return error_reply(iq, 403, "forbidden")
    if not await ctx.linking.unlink(jid):
        return error_reply(iq, 404, "item-not-found")
    return result_reply(iq)
