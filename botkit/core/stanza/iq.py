"""Building ``<iq>`` requests and reading their answers (PROTOCOL.md §9.1, Appendix B).

A request is ``<iq id xmlns type="get|set" to>`` with children; the answer carries the same
``id`` and ``type="result"`` (with the payload as children) or ``type="error"`` with
``<error code text/>``. :func:`result_payload` turns an answer into its payload or an
:class:`~botkit.errors.IQError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from botkit.core.binary import AttrReader, Node
from botkit.errors import DecodeError, IQError
from botkit.types.jid import JID, SERVER_JID

__all__ = [
    "IQ_ERROR_TEXTS",
    "error_reply",
    "iq",
    "iq_error",
    "result_payload",
    "result_reply",
]

#: The IQ error codes servers send, with their usual text (PROTOCOL.md Appendix B).
IQ_ERROR_TEXTS: dict[int, str] = {
    400: "bad-request",
    401: "not-authorized",
    403: "forbidden",
    404: "item-not-found",
    405: "not-allowed",
    406: "not-acceptable",
    410: "gone",
    419: "resource-limit",
    423: "locked",
    429: "rate-overlimit",
    500: "internal-server-error",
    501: "feature-not-implemented",
    503: "service-unavailable",
    530: "partial-server-error",
}


def iq(
    xmlns: str,
    kind: Literal["get", "set"],
    request_id: str,
    children: Sequence[Node],
    *,
    to: JID = SERVER_JID,
) -> Node:
    """Return ``<iq id xmlns type to>`` holding ``children``."""
    attrs: dict[str, str | JID] = {"id": request_id, "xmlns": xmlns, "type": kind, "to": to}
    return Node("iq", attrs, list(children))


def iq_error(node: Node) -> IQError:
    """Return the :class:`IQError` an error answer describes (code 0 when it has no details)."""
    error = node.get_child("error")
    if error is None:
        return IQError(0, "error without details")
    reader = AttrReader(error)
    code = reader.optional_int("code") or 0
    return IQError(code, reader.optional_string("text") or IQ_ERROR_TEXTS.get(code, ""))


def result_payload(node: Node) -> Node:
    """Return the answer ``node`` itself when it is a result, so its children can be read.

    Raises:
        IQError: the answer has ``type="error"`` (code and text from its ``<error>``).
        DecodeError: ``node`` is not an ``<iq>`` result or error.
    """
    if node.tag != "iq":
        raise DecodeError(f"expected an <iq> answer, got <{node.tag}>")
    kind = node.attrs.get("type")
    if kind == "result":
        return node
    if kind == "error":
        raise iq_error(node)
    raise DecodeError(f"an <iq> answer has type {kind!r}, not result or error")


def result_reply(request: Node, children: Sequence[Node] | None = None) -> Node:
    """Return the ``type="result"`` answer to ``request`` (same id, from its addressee)."""
    attrs: dict[str, str | JID] = {"id": request.attrs.get("id", ""), "type": "result"}
    attrs["from"] = request.attrs.get("to", SERVER_JID)
    return Node("iq", attrs, list(children) if children is not None else None)


def error_reply(request: Node, code: int, text: str | None = None) -> Node:
    """Return the ``type="error"`` answer to ``request`` with ``<error code text/>``.

    ``text`` defaults to the usual text of ``code`` (:data:`IQ_ERROR_TEXTS`).
    """
    attrs: dict[str, str | JID] = {"id": request.attrs.get("id", ""), "type": "error"}
    attrs["from"] = request.attrs.get("to", SERVER_JID)
    error = Node("error", {"code": str(code), "text": text or IQ_ERROR_TEXTS.get(code, "")})
    return Node("iq", attrs, [error])
