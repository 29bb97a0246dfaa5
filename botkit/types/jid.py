"""WhatsApp JIDs (PROTOCOL.md §5): addresses of users, devices, groups and servers.

String forms (``str(jid)`` and :meth:`JID.parse` are inverse for every form below):

* ``server`` — a bare server (``s.whatsapp.net``); on the wire it is the server's string token.
* ``@server`` — the same server written as a JID pair with an empty user (``pair=True``); this is
  how Baileys and whatsmeow address the server (``to="@s.whatsapp.net"``).
* ``user@server`` — a user, group, broadcast list, newsletter...
* ``user:device@server`` — a device ("AD") JID. ``user:0@server`` names device 0 explicitly
  (``ad=True``): Baileys writes that form as an AD_JID, whatsmeow as a JID pair, so the JID
  remembers which one it came from.
* ``user_agent:device@server`` — a device JID with a raw agent byte, in Baileys' spelling so
  that Baileys encodes ``str(jid)`` exactly as we encode the JID; :meth:`JID.parse` also accepts
  whatsmeow's ``user.agent:device@server``.
* ``integrator-user:device@interop`` — an interop JID (Baileys' form).

``ad`` and ``pair`` only choose the wire form; they take no part in equality or hashing, so
``JID.parse("1:0@s.whatsapp.net") == JID.parse("1@s.whatsapp.net")``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from botkit.errors import DecodeError

__all__ = [
    "AD_DOMAINS",
    "BOT_SERVER",
    "BROADCAST_SERVER",
    "BROADCAST_SERVER_JID",
    "CALL_SERVER",
    "DEFAULT_USER_SERVER",
    "GROUP_SERVER",
    "GROUP_SERVER_JID",
    "HIDDEN_USER_SERVER",
    "HOSTED_LID_SERVER",
    "HOSTED_SERVER",
    "INTEROP_SERVER",
    "JID",
    "LEGACY_PSA_JID",
    "LEGACY_USER_SERVER",
    "MESSENGER_SERVER",
    "META_AI_JID",
    "NEWSLETTER_SERVER",
    "NEW_META_AI_JID",
    "OFFICIAL_BUSINESS_JID",
    "PSA_JID",
    "SERVER_JID",
    "STATUS_BROADCAST_JID",
    "SignalAddress",
]

DEFAULT_USER_SERVER = "s.whatsapp.net"
GROUP_SERVER = "g.us"
LEGACY_USER_SERVER = "c.us"
BROADCAST_SERVER = "broadcast"
HIDDEN_USER_SERVER = "lid"
MESSENGER_SERVER = "msgr"
INTEROP_SERVER = "interop"
NEWSLETTER_SERVER = "newsletter"
HOSTED_SERVER = "hosted"
HOSTED_LID_SERVER = "hosted.lid"
BOT_SERVER = "bot"
CALL_SERVER = "call"

#: Servers whose device JIDs are written as AD_JID, with the domain byte that stands for them.
AD_DOMAINS: dict[str, int] = {
    DEFAULT_USER_SERVER: 0,
    HIDDEN_USER_SERVER: 1,
    HOSTED_SERVER: 128,
    HOSTED_LID_SERVER: 129,
}

_BOT_USER = re.compile(r"1313555[0-9]{4}|131655500[0-9]{2}")
_MAX_U8 = 0xFF
_MAX_U16 = 0xFFFF


class SignalAddress(NamedTuple):
    """A Signal protocol address: the session name and the device id."""

    name: str
    device_id: int

    def __str__(self) -> str:
        return f"{self.name}:{self.device_id}"


@dataclass(frozen=True, slots=True)
class JID:
    """A WhatsApp address: ``user``, ``server`` and, for devices, ``device`` (and ``agent``).

    ``integrator`` is only used by interop JIDs. ``ad`` and ``pair`` record the wire form of
    device-0 and empty-user JIDs (see the module docstring); they do not affect equality.
    """

    user: str
    server: str
    device: int = 0
    agent: int = 0
    integrator: int = 0
    ad: bool = field(default=False, compare=False)
    pair: bool = field(default=False, compare=False)

    @classmethod
    def parse(cls, text: str) -> JID:
        """Parse any string form produced by ``str(jid)`` (see the module docstring).

        Returns the JID. Raises DecodeError when the text is not a JID.
        """
        if not isinstance(text, str):
            raise DecodeError(f"JID must be a string, not {type(text).__name__}")
        user, at, server = text.partition("@")
        if not at:
            if not text or ":" in text:
                raise DecodeError(f"invalid JID {text!r}")
            return cls("", text)
        if not server or "@" in server:
            raise DecodeError(f"invalid JID {text!r}: bad server")
        if not user:
            return cls("", server, pair=True)
        device = agent = integrator = 0
        ad = False
        if ":" in user:
            user, _, device_text = user.partition(":")
            device = _number(device_text, _MAX_U16, text, "device")
            ad = device == 0
        user, separator, agent_text = user.partition("_")
        if not separator:
            user, separator, agent_text = user.partition(".")
        if separator:
            agent = _number(agent_text, _MAX_U8, text, "agent")
        if server == INTEROP_SERVER and "-" in user:
            integrator_text, _, user = user.partition("-")
            integrator = _number(integrator_text, _MAX_U16, text, "integrator")
        if not user:
            raise DecodeError(f"invalid JID {text!r}: bad user")
        return cls(user, server, device, agent, integrator, ad=ad)

    def __str__(self) -> str:
        user = self.user
        if self.server == INTEROP_SERVER:
            return f"{self.integrator}-{user}:{self.device}@{self.server}"
        if self.agent:
            return f"{user}_{self.agent}:{self.device}@{self.server}"
        if self.device or self.ad:
            return f"{user}:{self.device}@{self.server}"
        if user or self.pair:
            return f"{user}@{self.server}"
        return self.server

    def ad_string(self) -> str:
        """Return ``user.agent:device@server``, the form hashed into a participant hash (§9.7)."""
        return f"{self.user}.{self.agent}:{self.device}@{self.server}"

    def to_non_ad(self) -> JID:
        """Return this JID without agent and device (the user or entity behind a device)."""
        return JID(self.user, self.server, integrator=self.integrator)

    @property
    def domain(self) -> int:
        """The server's domain byte (0, 1 lid, 128 hosted, 129 hosted.lid); else the raw agent.

        As in whatsmeow, a raw agent on ``s.whatsapp.net`` does not change the domain (0).
        """
        return AD_DOMAINS.get(self.server, self.agent)

    def signal_address(self) -> SignalAddress:
        """Return the Signal address: name ``user`` or ``user_<domain>`` and the device (§5.2)."""
        domain = self.domain
        name = f"{self.user}_{domain}" if domain else self.user
        return SignalAddress(name, self.device)

    @property
    def is_server(self) -> bool:
        """True for a server itself (no user), e.g. ``s.whatsapp.net`` or ``@g.us``."""
        return not self.user

    @property
    def is_pn(self) -> bool:
        """True for a phone-number user or device (``@s.whatsapp.net``)."""
        return self.server == DEFAULT_USER_SERVER and bool(self.user)

    @property
    def is_lid(self) -> bool:
        """True for a LID user or device (``@lid``)."""
        return self.server == HIDDEN_USER_SERVER and bool(self.user)

    @property
    def is_group(self) -> bool:
        """True for a group (``@g.us`` with a user)."""
        return self.server == GROUP_SERVER and bool(self.user)

    @property
    def is_status_broadcast(self) -> bool:
        """True for ``status@broadcast``."""
        return self.server == BROADCAST_SERVER and self.user == "status"

    @property
    def is_broadcast_list(self) -> bool:
        """True for a broadcast list (``@broadcast``, but not the status broadcast)."""
        return self.server == BROADCAST_SERVER and self.user not in ("", "status")

    @property
    def is_newsletter(self) -> bool:
        """True for a channel (``@newsletter``)."""
        return self.server == NEWSLETTER_SERVER and bool(self.user)

    @property
    def is_hosted(self) -> bool:
        """True for a hosted (Cloud API) user or device (``@hosted`` or ``@hosted.lid``)."""
        return self.server in (HOSTED_SERVER, HOSTED_LID_SERVER)

    @property
    def is_bot(self) -> bool:
        """True for Meta AI bots: any ``@bot`` JID or a bot number on ``s.whatsapp.net`` (§5.2)."""
        if self.server == BOT_SERVER:
            return True
        return (
            self.server == DEFAULT_USER_SERVER
            and self.device == 0
            and _BOT_USER.fullmatch(self.user) is not None
        )


def _number(text: str, maximum: int, jid: str, what: str) -> int:
    if not (0 < len(text) <= 5 and text.isascii() and text.isdigit()) or int(text) > maximum:
        raise DecodeError(f"invalid JID {jid!r}: bad {what} {text!r}")
    return int(text)


#: The server, as Baileys and whatsmeow address it (``@s.whatsapp.net``, a JID pair).
SERVER_JID = JID("", DEFAULT_USER_SERVER, pair=True)
GROUP_SERVER_JID = JID("", GROUP_SERVER, pair=True)
BROADCAST_SERVER_JID = JID("", BROADCAST_SERVER, pair=True)
STATUS_BROADCAST_JID = JID("status", BROADCAST_SERVER)
PSA_JID = JID("0", DEFAULT_USER_SERVER)
LEGACY_PSA_JID = JID("0", LEGACY_USER_SERVER)
OFFICIAL_BUSINESS_JID = JID("16505361212", LEGACY_USER_SERVER)
META_AI_JID = JID("13135550002", DEFAULT_USER_SERVER)
NEW_META_AI_JID = JID("867051314767696", BOT_SERVER)
