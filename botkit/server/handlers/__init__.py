"""IQ handlers of the sandbox, routed by ``xmlns``; anything else gets IQ error 501."""

from __future__ import annotations

from botkit.core.binary import Node
from botkit.core.stanza.iq import error_reply
from botkit.server.handlers.account import (
    handle_abt,
    handle_blocklist,
    handle_md,
    handle_passive,
    handle_ping,
    handle_privacy,
)
from botkit.server.handlers.base import GroupRequests, Handler, IqContext, Linking
from botkit.server.handlers.encrypt import handle_encrypt
from botkit.server.handlers.groups import handle_groups
from botkit.server.handlers.usync import handle_usync

__all__ = ["HANDLERS", "GroupRequests", "Handler", "IqContext", "Linking", "answer_iq"]

HANDLERS: dict[str, Handler] = {
    "abt": handle_abt,
    "blocklist": handle_blocklist,
    "encrypt": handle_encrypt,
    "md": handle_md,
    "passive": handle_passive,
    "privacy": handle_privacy,
    "usync": handle_usync,
    "w:g2": handle_groups,
    "w:p": handle_ping,
}


async def answer_iq(ctx: IqContext, iq: Node) -> Node:
    """Return the answer to a client ``get``/``set`` IQ: its handler's, or error 501."""
    xmlns = iq.attrs.get("xmlns")
    handler = HANDLERS.get(xmlns) if isinstance(xmlns, str) else None
    if handler is None:
        return error_reply(iq, 501, "feature-not-implemented")
    return await handler(ctx, iq)
