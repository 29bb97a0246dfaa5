"""What a :class:`~botkit.client.Client` connects to, and its deadlines and intervals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from botkit.client.keepalive import KeepAliveTiming
from botkit.client.pairing import PairingTiming
from botkit.client.requests import DEFAULT_IQ_TIMEOUT
from botkit.client.transport import WA_URL
from botkit.core.noise import WA_ROOT_PUBLIC_KEY

__all__ = ["ClientTiming", "ServerConfig"]


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Where to connect and whom to trust: WhatsApp by default, or a sandbox."""

    url: str = WA_URL
    trust_root: bytes = field(default=WA_ROOT_PUBLIC_KEY, repr=False)
    open_timeout: float = 20.0

    @classmethod
    def from_ready_line(cls, line: Mapping[str, str]) -> ServerConfig:
        """Return the config of a sandbox from its ready line (``ws_url``, ``root_public_key``).

        Raises:
            KeyError: a field is missing.
            ValueError: ``root_public_key`` is not 64 hex characters.
        """
        root = bytes.fromhex(line["root_public_key"])
        if len(root) != 32:
            raise ValueError("root_public_key must be 32 bytes (64 hex characters)")
        return cls(url=line["ws_url"], trust_root=root)


@dataclass(frozen=True, slots=True)
class ClientTiming:
    """Every deadline and interval of the session, in seconds (shorten them in tests)."""

    iq_timeout: float = DEFAULT_IQ_TIMEOUT
    pairing: PairingTiming = field(default_factory=PairingTiming)
    keepalive: KeepAliveTiming = field(default_factory=KeepAliveTiming)
