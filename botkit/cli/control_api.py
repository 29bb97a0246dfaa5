"""A small client for a sandbox's HTTP control API (``server: {..., control_url}``).

Only what the command line needs: make sure an account exists, and have its simulated phone
scan a QR code or type a pairing code. Requests run in a worker thread (the control API is on
loopback and answers at once), so the event loop keeps serving the bot meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any

from botkit.errors import ClientError

__all__ = ["ControlAPI"]

_TIMEOUT = 30.0


class ControlAPI:
    """The control API at ``url`` (``http://host:port``)."""

    def __init__(self, url: str, timeout: float = _TIMEOUT) -> None:
        self.url = url.rstrip("/")
        self._timeout = timeout

    async def ensure_user(self, phone: str, name: str) -> None:
        """Create the account of ``phone`` unless it exists. Raises ClientError on failure."""
        if await self._call("GET", f"/control/devices/{phone}", missing_ok=True) is None:
            await self._call("POST", "/control/users", {"phone": phone, "name": name})

    async def pair_qr(self, phone: str, qr: str) -> str:
        """Have ``phone``'s simulated phone scan ``qr``; return the linked device JID."""
        answer = await self._call("POST", "/control/pair", {"phone": phone, "qr": qr})
        return str(answer["device_jid"])

    async def pair_code(self, phone: str, code: str) -> str:
        """Have ``phone``'s simulated phone enter pairing ``code``; return the device JID."""
        answer = await self._call("POST", "/control/pair-code", {"phone": phone, "code": code})
        return str(answer["device_jid"])

    async def _call(
        self, method: str, path: str, body: dict[str, str] | None = None, missing_ok: bool = False
    ) -> Any:
        return await asyncio.to_thread(self._blocking_call, method, path, body, missing_ok)

    def _blocking_call(
        self, method: str, path: str, body: dict[str, str] | None, missing_ok: bool
    ) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data, {"Content-Type": "application/json"}, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            if missing_ok and error.code == 404:
                return None
            detail = error.read().decode(errors="replace").strip()
            raise ClientError(f"control API {method} {path}: {error.code} {detail}") from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise ClientError(f"control API {method} {path}: {error}") from None
