"""The ``w:g2`` namespace: group requests (PROTOCOL.md §13.1, §15.7).

The request is parsed with :func:`~botkit.core.stanza.group.parse_group_request` and carried
out by the sandbox's group service; a malformed request is answered 400, one botkit does not
implement (communities, join-request lists...) 501, a refused one with the refusal's code.
"""

from __future__ import annotations

from botkit.core.binary import Node
from botkit.core.stanza.group import parse_group_request
from botkit.core.stanza.iq import error_reply, result_reply
from botkit.errors import DecodeError, SandboxRefusal
from botkit.server.handlers.base import IqContext

__all__ = ["handle_groups"]


async def handle_groups(ctx: IqContext, iq: Node) -> Node:
    """Answer a ``w:g2`` request of a logged-in device."""
    account = ctx.account
    if account is None:
        return error_reply(iq, 401)
    try:
        request = parse_group_request(iq)
    except DecodeError:
        return error_reply(iq, 400)
    if request is None:
        return error_reply(iq, 501)
    try:
        payload = await ctx.groups.request(account, request)
    except SandboxRefusal as refusal:
        return error_reply(iq, refusal.code)
    return result_reply(iq, payload)
