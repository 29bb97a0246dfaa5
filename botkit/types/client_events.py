"""The session events of :class:`botkit.client.Client`: connection, pairing and logout.

Typed, frozen, past-tense values carrying plain data (ARCHITECTURE.md). The client hands each one
to its event sink in the order they happened. They are kept apart from the runtime's message
events (:mod:`botkit.types.events`) until the two are merged.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from botkit.types.jid import JID

__all__ = [
    "ClientEvent",
    "Connected",
    "DisconnectReason",
    "Disconnected",
    "LoggedOut",
    "LogoutReason",
    "Paired",
    "PairingCodeShown",
    "QRCodeShown",
]


class DisconnectReason(enum.Enum):
    """Why a connection ended (PROTOCOL.md §3.5); it decides whether the client reconnects."""

    RESTART_REQUIRED = "restart_required"
    """Stream error 515, sent after pairing: reconnect at once (with the login payload)."""
    NETWORK = "network"
    """The socket failed, closed or went silent (keep-alive): retry with backoff."""
    SERVER_ERROR = "server_error"
    """A 5xx failure or stream error, or one we do not know: retry with backoff."""
    LOGGED_OUT = "logged_out"
    """The device was unlinked or its login refused (401, 403, 406): stop; credentials wiped."""
    REPLACED = "replaced"
    """Another connection of this device took over (``conflict type="replaced"``): stop."""
    CLIENT_OUTDATED = "client_outdated"
    """Failure 405: this client version is too old for the server: stop."""
    TEMP_BANNED = "temp_banned"
    """Failure 402: the account is temporarily banned: stop."""
    REJECTED = "rejected"
    """Another 4xx failure (bad request, bad user agent, ...): stop."""
    PAIRING_FAILED = "pairing_failed"
    """The phone's ``pair-success`` did not verify (HMAC or account signature): stop."""
    PAIRING_TIMEOUT = "pairing_timeout"
    """Every QR code expired without being scanned: stop."""
    SHUTDOWN = "shutdown"
    """We closed the connection on purpose (:meth:`Client.disconnect` or logout): stop."""

    @property
    def reconnects(self) -> bool:
        """Whether the client connects again after a disconnect for this reason."""
        return self in _RECONNECTING


_RECONNECTING = frozenset(
    {DisconnectReason.RESTART_REQUIRED, DisconnectReason.NETWORK, DisconnectReason.SERVER_ERROR}
)


class LogoutReason(enum.Enum):
    """How the device came to be logged out."""

    DEVICE_REMOVED = "device_removed"
    """The account's phone (or another device) unlinked us: stream error 401 device_removed."""
    LOGIN_REFUSED = "login_refused"
    """The server refused our login (failure 401, 403 or 406)."""
    REQUESTED = "requested"
    """We asked for it (:meth:`Client.logout`)."""


@dataclass(frozen=True, slots=True)
class Connected:
    """The client logged in as ``jid`` (its device JID); ``lid`` is the device's LID if known."""

    jid: JID
    lid: JID | None = None


@dataclass(frozen=True, slots=True)
class Disconnected:
    """The connection ended for ``reason``; ``detail`` explains it to a human.

    ``reconnecting`` says whether the client will connect again by itself.
    """

    reason: DisconnectReason
    detail: str = ""
    reconnecting: bool = False


@dataclass(frozen=True, slots=True)
class QRCodeShown:
    """A QR code to show the user; ``index`` counts the codes of this pairing from 0.

    ``code`` is the raw string a phone scans (PROTOCOL.md §6.2); each new code replaces the
    previous one, which is no longer valid.
    """

    code: str
    index: int


@dataclass(frozen=True, slots=True)
class PairingCodeShown:
    """The 8-character code (shown as ``XXXX-XXXX``) the user types on the phone (§6.4)."""

    code: str


@dataclass(frozen=True, slots=True)
class Paired:
    """The phone linked this device as ``jid`` (and ``lid``); a restart and login follow.

    ``platform`` is the primary phone's platform name, ``business_name`` its business name.
    """

    jid: JID
    lid: JID | None
    platform: str = ""
    business_name: str = ""


@dataclass(frozen=True, slots=True)
class LoggedOut:
    """The device is no longer linked; its credentials are wiped and it must pair again."""

    reason: LogoutReason


ClientEvent = Connected | Disconnected | QRCodeShown | PairingCodeShown | Paired | LoggedOut
