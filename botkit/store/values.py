"""The plain values the store protocols exchange (frozen; secrets kept out of their reprs)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from botkit.core.signal.keys import KeyPair
from botkit.core.signal.prekeys import SignedPreKey
from botkit.types.jid import SignalAddress

__all__ = [
    "AppStateSyncKey",
    "AppStateUpdate",
    "AppStateVersion",
    "CachedGroup",
    "Contact",
    "DeviceCredentials",
    "DeviceList",
    "IdentityChange",
    "InboundUnit",
    "MessageKey",
    "PreKey",
    "SenderKeyUpdate",
    "SentMessage",
    "SignedPreKey",
]


@dataclass(frozen=True, slots=True)
class DeviceCredentials:
    """Everything that makes this companion device itself (PROTOCOL.md §6.1, §6.3).

    ``jid`` and ``lid`` are the own device JIDs (strings) learned at pairing; ``None`` before.
    """

    noise_key: KeyPair
    identity_key: KeyPair
    signed_pre_key: SignedPreKey
    registration_id: int
    adv_secret: bytes = field(repr=False)
    jid: str | None = None
    lid: str | None = None
    signed_device_identity: bytes | None = field(default=None, repr=False)
    platform: str = ""
    push_name: str = ""


@dataclass(frozen=True, slots=True)
class PreKey:
    """A one-time pre-key; ``uploaded`` once the server acknowledged it (PROTOCOL.md §7.3)."""

    key_id: int
    key_pair: KeyPair
    uploaded: bool = False


@dataclass(frozen=True, slots=True)
class IdentityChange:
    """An entry of an identity history: the trusted key was replaced at ``changed_at``."""

    address: SignalAddress
    old_key: bytes
    new_key: bytes
    changed_at: float


@dataclass(frozen=True, slots=True)
class MessageKey:
    """What identifies an inbound message in the journal: chat, sender and message id (strings)."""

    chat: str
    sender: str
    message_id: str


@dataclass(frozen=True, slots=True)
class SenderKeyUpdate:
    """A new sender-key record for (group JID string, sender's Signal address)."""

    group: str
    sender: SignalAddress
    record: bytes = field(repr=False)


@dataclass(frozen=True, slots=True, eq=False)
class InboundUnit:
    """Every store effect of one inbound message, committed together or not at all.

    ``sessions`` maps addresses to their new session records, ``consumed_pre_key`` is the one-time
    pre-key a ``pkmsg`` used up, ``identities`` maps addresses to identity keys to trust (a change
    is recorded in the identity history), and ``message`` becomes the journal entry — unless
    ``journal`` is False: the records of a message whose content did not decrypt (a sender key
    that came with it) are kept, but the message is not handled, so its redelivery still is.
    """

    message: MessageKey
    sessions: Mapping[SignalAddress, bytes] = field(default_factory=dict, repr=False)
    consumed_pre_key: int | None = None
    sender_keys: tuple[SenderKeyUpdate, ...] = ()
    identities: Mapping[SignalAddress, bytes] = field(default_factory=dict)
    journal: bool = True


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A recently sent message kept for retry receipts (§10.6); ``payload`` is opaque."""

    chat: str
    message_id: str
    payload: bytes = field(repr=False)
    sent_at: float = 0.0


@dataclass(frozen=True, slots=True)
class Contact:
    """What we know of a contact (from app state and push names); ``jid`` is a user JID string."""

    jid: str
    first_name: str = ""
    full_name: str = ""
    push_name: str = ""
    business_name: str = ""


@dataclass(frozen=True, slots=True)
class CachedGroup:
    """Cached group metadata: opaque bytes serialized by the client, and when it was fetched."""

    jid: str
    metadata: bytes
    fetched_at: float


@dataclass(frozen=True, slots=True)
class DeviceList:
    """A user's device ids from usync (PROTOCOL.md §9.3), with its hash and fetch time."""

    user: str
    device_ids: tuple[int, ...]
    device_hash: str | None
    fetched_at: float


@dataclass(frozen=True, slots=True)
class AppStateSyncKey:
    """An app-state sync key shared by the primary device (PROTOCOL.md §11.2)."""

    key_id: bytes
    key_data: bytes = field(repr=False)
    fingerprint: bytes = b""
    timestamp: int = 0


@dataclass(frozen=True, slots=True)
class AppStateVersion:
    """A collection's state (PROTOCOL.md §11.6): version and 128-byte LTHash."""

    collection: str
    version: int = 0
    hash: bytes = bytes(128)


@dataclass(frozen=True, slots=True, eq=False)
class AppStateUpdate:
    """The result of applying patches to a collection, stored atomically.

    ``set_macs`` maps index MACs to their new value MACs; ``removed`` lists index MACs removed.
    """

    collection: str
    version: int
    hash: bytes
    set_macs: Mapping[bytes, bytes] = field(default_factory=dict)
    removed: tuple[bytes, ...] = ()
