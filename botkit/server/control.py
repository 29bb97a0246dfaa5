"""The sandbox's control API: JSON over HTTP/1.1 on loopback, one request per connection.

Routes (bodies and answers are JSON objects; errors are ``{"error": "..."}`` with a 4xx/5xx)::

    POST /control/users      {"phone", "name"}      -> {"jid", "lid"}
    POST /control/pair       {"phone", "qr"}        -> {"device_jid"}
    POST /control/pair-code  {"phone", "code"}      -> {"device_jid"}
    POST /control/unlink     {"device_jid"}         -> {"unlinked": true}
    POST /control/users/<phone>/reset-identity {}   -> {"notified": ["<device jid>", ...]}
                              (the user's phone registers again with a new identity)
    GET  /control/devices/<phone>                   -> ["<device jid>", ...]
    POST /control/messages   {"from", "to", "text"} -> {"id"}   (sent by the simulated phone)
    GET  /control/inbox/<phone>  -> [{"id", "from", "chat", "text", "timestamp"}, ...]
    POST /control/faults     {"device_jid", "kind": "drop|delay|duplicate",
                              "count": N (default 1), "seconds": S (delay only)}
                                                    -> {"device_jid", "kind", "count"}
    POST /control/groups     {"creator", "subject", "participants": [jid, ...]} -> {"jid"}
    POST /control/groups/<jid>/participants  {"by", "action": "add|remove|promote|demote",
                              "participants": [jid, ...]} -> [{"jid", "status"}, ...]
    POST /control/groups/<jid>/settings  {"by", "announce"|"locked"|"approval": bool,
                              "subject"|"description": str, "ephemeral": seconds} -> metadata
    GET  /control/groups/<jid>  -> {"jid", "subject", "participants": [{"jid", "lid", "role"}],
                              "announce", "locked", ...}

``/control/messages`` with a group in ``to`` has the phone send to the group. A group change
the rules refuse answers with the refusal's code (403 not an admin / not a member, 404 no
such group, 400 a bad value).
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from botkit.errors import BotkitError, SandboxRefusal
from botkit.server.http import LoopbackHttpServer, json_response, read_head
from botkit.server.mailbox import Fault
from botkit.types.jid import JID

if TYPE_CHECKING:
    from botkit.server.app import Sandbox

__all__ = ["ControlServer", "Response", "loopback"]

log = logging.getLogger(__name__)

_MAX_BODY = 64 * 1024
_READ_TIMEOUT = 10.0
_REFUSAL_STATUSES = frozenset({400, 403, 404, 409})
"""The refusal codes answered as such; any other refusal is answered ``409``."""


@dataclass(frozen=True, slots=True)
class Response:
    """An HTTP answer: status and a JSON-serializable body."""

    status: int
    body: Any

    def encode(self) -> bytes:
        """Return the full HTTP/1.1 response bytes (the connection closes after it)."""
        return json_response(self.status, self.body)


def _error(status: int, message: str) -> Response:
    return Response(status, {"error": message})


def _field(body: dict[str, Any], name: str) -> str:
    """Return the string field ``name`` of a request body.

    Raises:
        ValueError: it is missing or not a string.
    """
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"field {name!r} must be a non-empty string")
    return value


def _jid(body: dict[str, Any], name: str) -> JID:
    """Return the JID field ``name`` of a request body.

    Raises:
        ValueError: it is missing, not a string, or not a JID.
    """
    try:
        return JID.parse(_field(body, name))
    except BotkitError as exc:
        raise ValueError(f"{name} is not a JID: {exc}") from exc


_GROUPS = "/control/groups/"


def _group_jid(text: str) -> JID:
    """Return the group JID of a path segment (percent-encoding allowed).

    Raises:
        ValueError: it is not a group JID.
    """
    try:
        jid = JID.parse(unquote(text))
    except BotkitError as exc:
        raise ValueError(f"{text!r} is not a JID: {exc}") from exc
    if not jid.is_group:
        raise ValueError(f"{jid} is not a group")
    return jid


def _jids(body: dict[str, Any]) -> list[JID]:
    """Return the ``participants`` field of a request body as JIDs.

    Raises:
        ValueError: it is not a list of JID strings.
    """
    values = body.get("participants", [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError("field 'participants' must be a list of JIDs")
    try:
        return [JID.parse(value) for value in values]
    except BotkitError as exc:
        raise ValueError(f"a participant is not a JID: {exc}") from exc


def loopback(host: str) -> str:
    """Return ``host`` if it is a loopback address (or ``localhost``), else ``127.0.0.1``."""
    if host == "localhost":
        return host
    try:
        return host if ipaddress.ip_address(host).is_loopback else "127.0.0.1"
    except ValueError:  # a host name: only "localhost" is known to be loopback
        return "127.0.0.1"


class ControlServer(LoopbackHttpServer):
    """Serves the control API of ``sandbox``; an async context manager.

    It listens on loopback only, whatever ``host`` the sandbox serves WebSockets on (``--host
    0.0.0.0`` must not let the network pair devices or read inboxes): ``host`` when it is a
    loopback address, else ``127.0.0.1``.
    """

    def __init__(self, sandbox: Sandbox, *, host: str, port: int) -> None:
        super().__init__(host=loopback(host), port=port)
        self._sandbox = sandbox
        self._posts: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
            "/control/users": self._users,
            "/control/pair": self._pair,
            "/control/pair-code": self._pair_code,
            "/control/unlink": self._unlink,
            "/control/messages": self._messages,
            "/control/faults": self._faults,
            "/control/groups": self._groups,
        }

    async def _respond(self, reader: asyncio.StreamReader) -> bytes:
        return (await self._answer(reader)).encode()

    async def _answer(self, reader: asyncio.StreamReader) -> Response:
        try:
            head = await read_head(reader, _READ_TIMEOUT)
        except ValueError as exc:
            return _error(400, str(exc))
        if head.length > _MAX_BODY:
            return _error(413, "request body too large")
        raw = await asyncio.wait_for(reader.readexactly(head.length), _READ_TIMEOUT)
        return await self._route(head.method, head.target.split("?")[0], raw)

    async def _route(self, method: str, path: str, raw: bytes) -> Response:
        if method == "GET" and path.startswith("/control/devices/"):
            return self._call_sync(lambda: self._sandbox.devices(path.rsplit("/", 1)[1]))
        if method == "GET" and path.startswith("/control/inbox/"):
            return self._call_sync(lambda: self._sandbox.inbox(path.rsplit("/", 1)[1]))
        if method == "GET" and path.startswith(_GROUPS):
            try:
                group = _group_jid(path[len(_GROUPS) :])
            except ValueError as exc:
                return _error(400, str(exc))
            return self._call_sync(lambda: self._sandbox.group_control.metadata(group))
        handler = self._posts.get(path) or self._group_route(path)
        if path.startswith("/control/users/") and path.endswith("/reset-identity"):
            phone = path.removeprefix("/control/users/").removesuffix("/reset-identity")
            handler = functools.partial(self._reset_identity, phone)
        if handler is None:
            return _error(404, f"no route {path}")
        if method != "POST":
            return _error(405, f"{path} takes POST")
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return _error(400, "the body is not JSON")
        if not isinstance(body, dict):
            return _error(400, "the body must be a JSON object")
        try:
            answer = await handler(body)
            await self._sandbox.flush()  # an answer means the change survives a crash
            return Response(200, answer)
        except ValueError as exc:
            return _error(400, str(exc))
        except LookupError as exc:
            return _error(404, str(exc))
        except TimeoutError:
            return _error(504, "the client did not answer in time")
        except SandboxRefusal as exc:
            return _error(exc.code if exc.code in _REFUSAL_STATUSES else 409, str(exc))
        except BotkitError as exc:
            return _error(409, f"{type(exc).__name__}: {exc}")
        except OSError as exc:
            log.error("the sandbox state could not be written: %s", exc)
            return _error(500, "the sandbox state could not be written")

    def _group_route(self, path: str) -> Callable[[dict[str, Any]], Awaitable[Any]] | None:
        """Return the handler of ``POST /control/groups/<jid>/<operation>``, or None."""
        if not path.startswith(_GROUPS):
            return None
        jid_text, _, operation = path[len(_GROUPS) :].partition("/")
        control = self._sandbox.group_control

        async def participants(body: dict[str, Any]) -> Any:
            group = _group_jid(jid_text)
            action = _field(body, "action")
            return await control.participants(group, _field(body, "by"), action, _jids(body))

        async def settings(body: dict[str, Any]) -> Any:
            return await control.settings(_group_jid(jid_text), _field(body, "by"), body)

        return {"participants": participants, "settings": settings}.get(operation)

    async def _groups(self, body: dict[str, Any]) -> dict[str, str]:
        subject = body.get("subject", "")
        if not isinstance(subject, str):
            raise ValueError("field 'subject' must be a string")
        control = self._sandbox.group_control
        return await control.create(_field(body, "creator"), subject, _jids(body))

    @staticmethod
    def _call_sync(call: Callable[[], Any]) -> Response:
        try:
            return Response(200, call())
        except LookupError as exc:
            return _error(404, str(exc))

    async def _users(self, body: dict[str, Any]) -> dict[str, str]:
        name = body.get("name", "")
        if not isinstance(name, str):
            raise ValueError("field 'name' must be a string")
        return self._sandbox.create_user(_field(body, "phone"), name)

    async def _pair(self, body: dict[str, Any]) -> dict[str, str]:
        jid = await self._sandbox.linker.pair_qr(_field(body, "phone"), _field(body, "qr"))
        return {"device_jid": str(jid)}

    async def _pair_code(self, body: dict[str, Any]) -> dict[str, str]:
        jid = await self._sandbox.linker.pair_code(_field(body, "phone"), _field(body, "code"))
        return {"device_jid": str(jid)}

    async def _messages(self, body: dict[str, Any]) -> dict[str, str]:
        to = _jid(body, "to")
        text = _field(body, "text")
        return {"id": await self._sandbox.send_text(_field(body, "from"), to, text)}

    async def _faults(self, body: dict[str, Any]) -> dict[str, Any]:
        device = _jid(body, "device_jid")
        count = body.get("count", 1)
        seconds = body.get("seconds", 0.0)
        if not isinstance(count, int) or isinstance(count, bool):
            raise ValueError("field 'count' must be an integer")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool):
            raise ValueError("field 'seconds' must be a number")
        fault = Fault(_field(body, "kind"), count, float(seconds))
        self._sandbox.inject_fault(device, fault)
        return {"device_jid": str(device), "kind": fault.kind, "count": count}

    async def _reset_identity(self, phone: str, body: dict[str, Any]) -> dict[str, list[str]]:
        return {"notified": await self._sandbox.reset_identity(phone)}

    async def _unlink(self, body: dict[str, Any]) -> dict[str, bool]:
        jid = _jid(body, "device_jid")
        if jid.device == 0 or not await self._sandbox.unlink(jid):
            raise LookupError(f"{jid} is not a linked companion device")
        return {"unlinked": True}
