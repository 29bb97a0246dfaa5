"""The store's narrow interfaces: one ``typing.Protocol`` per concern (values in values.py).

A client service depends only on the protocol it needs (the receive path on
:class:`InboundCommitter`, pre-key upkeep on :class:`PreKeyStore`...), so any backend that
implements them fits: :mod:`botkit.store.memory`, :mod:`botkit.store.sqlite`, later PostgreSQL.
Nothing here knows about SQL.

Signal records (sessions, sender keys) are opaque bytes produced by ``botkit.core.signal``; the
store never parses them. Every value that carries secret material keeps it out of its ``repr``.
All methods may raise :class:`~botkit.errors.StoreError` when the backend fails, in which case
nothing of that call was written; writes raise :class:`~botkit.errors.AccountLocked` once the
account's lease was lost to another process.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from botkit.store.values import (
    AppStateSyncKey,
    AppStateUpdate,
    AppStateVersion,
    CachedGroup,
    Contact,
    DeviceCredentials,
    DeviceList,
    IdentityChange,
    InboundUnit,
    MessageKey,
    PreKey,
    SentMessage,
)
from botkit.types.jid import SignalAddress

__all__ = [
    "AccountStore",
    "AppStateStore",
    "ContactStore",
    "CredentialStore",
    "DeviceListCache",
    "GroupCache",
    "IdentityStore",
    "InboundCommitter",
    "KeyValueStore",
    "LIDMapStore",
    "MessageJournal",
    "PreKeyStore",
    "SenderKeyStore",
    "SentMessageCache",
    "SessionStore",
    "Store",
]


class CredentialStore(Protocol):
    """The device's own credentials."""

    async def load_credentials(self) -> DeviceCredentials | None:
        """Return the stored credentials, or ``None`` for an account that was never set up."""
        ...

    async def save_credentials(self, credentials: DeviceCredentials) -> None:
        """Store ``credentials``, replacing any stored before."""
        ...


class PreKeyStore(Protocol):
    """One-time pre-keys: generated in batches with sequential ids, uploaded, consumed."""

    async def get_or_generate_pre_keys(self, count: int) -> list[PreKey]:
        """Return ``count`` pre-keys not uploaded yet, generating (and storing) what is missing."""
        ...

    async def get_pre_key(self, key_id: int) -> PreKey | None:
        """Return pre-key ``key_id``, or ``None`` if it was never made or is consumed."""
        ...

    async def mark_pre_keys_uploaded(self, up_to_id: int) -> None:
        """Mark every pre-key with an id up to ``up_to_id`` as uploaded."""
        ...

    async def remove_pre_key(self, key_id: int) -> None:
        """Delete pre-key ``key_id`` (it was consumed); a missing key is no error."""
        ...

    async def uploaded_pre_key_count(self) -> int:
        """Return how many uploaded pre-keys remain unconsumed."""
        ...


class SessionStore(Protocol):
    """Signal session records (opaque bytes) by address: PN or LID user name plus device id."""

    async def get_session(self, address: SignalAddress) -> bytes | None:
        """Return the session record of ``address``, or ``None``."""
        ...

    async def get_sessions(self, addresses: Iterable[SignalAddress]) -> dict[SignalAddress, bytes]:
        """Return the records of those ``addresses`` that have one."""
        ...

    async def put_sessions(self, records: Mapping[SignalAddress, bytes]) -> None:
        """Store all ``records`` atomically (a send fan-out updates many at once)."""
        ...

    async def delete_session(self, address: SignalAddress) -> None:
        """Delete the session of ``address``; a missing session is no error."""
        ...

    async def delete_sessions(self, name: str) -> None:
        """Delete the sessions of every device of user ``name`` (PROTOCOL.md §7.4)."""
        ...

    async def move_user(self, old_name: str, new_name: str) -> int:
        """Move the sessions and trusted identities of every device of user ``old_name`` to
        ``new_name``, atomically; return how many sessions moved.

        This is the PN -> LID migration of PROTOCOL.md §5.3. A device that already has a
        session (or identity) under ``new_name`` keeps it; ``old_name``'s is dropped.
        """
        ...


class IdentityStore(Protocol):
    """Peers' identity keys: trust on first use, with a history of changes."""

    async def get_identity(self, address: SignalAddress) -> bytes | None:
        """Return the trusted identity key of ``address``, or ``None``."""
        ...

    async def is_trusted_identity(self, address: SignalAddress, identity_key: bytes) -> bool:
        """Return ``True`` if no key is stored for ``address`` yet or ``identity_key`` is it."""
        ...

    async def save_identity(self, address: SignalAddress, identity_key: bytes) -> bool:
        """Trust ``identity_key`` for ``address``; return ``True`` if it replaced a different key.

        A replacement is appended to the history (:meth:`identity_changes`).
        """
        ...

    async def identity_changes(self, address: SignalAddress) -> list[IdentityChange]:
        """Return the identity history of ``address``, oldest first."""
        ...

    async def delete_identities(self, name: str) -> None:
        """Forget the identities of every device of user ``name`` (the history stays)."""
        ...


class SenderKeyStore(Protocol):
    """Sender-key records (opaque bytes) by (group JID string, sender address)."""

    async def get_sender_key(self, group: str, sender: SignalAddress) -> bytes | None:
        """Return the sender-key record, or ``None``."""
        ...

    async def put_sender_key(self, group: str, sender: SignalAddress, record: bytes) -> None:
        """Store a sender-key record, replacing the previous one."""
        ...

    async def delete_sender_keys(self, group: str) -> None:
        """Delete every sender key of ``group``."""
        ...


class AppStateStore(Protocol):
    """App-state sync keys and per-collection versions, hashes and value MACs (PROTOCOL.md §11)."""

    async def put_app_state_key(self, key: AppStateSyncKey) -> None:
        """Store ``key`` (replacing one with the same id)."""
        ...

    async def get_app_state_key(self, key_id: bytes) -> AppStateSyncKey | None:
        """Return the key with ``key_id``, or ``None``."""
        ...

    async def latest_app_state_key(self) -> AppStateSyncKey | None:
        """Return the key with the newest timestamp, or ``None`` if there is none."""
        ...

    async def get_app_state_version(self, collection: str) -> AppStateVersion:
        """Return the state of ``collection`` (version 0 and a zero hash if never synced)."""
        ...

    async def get_value_macs(
        self, collection: str, index_macs: Iterable[bytes]
    ) -> dict[bytes, bytes]:
        """Return the stored value MAC of each of ``index_macs`` that has one."""
        ...

    async def apply_app_state(self, update: AppStateUpdate) -> None:
        """Store a collection's new version, hash and value MACs atomically."""
        ...

    async def reset_app_state(self, collection: str) -> None:
        """Forget the state and value MACs of ``collection`` (before a full re-sync)."""
        ...


class ContactStore(Protocol):
    """Contacts by user JID string."""

    async def put_contact(self, contact: Contact) -> None:
        """Store ``contact``, replacing what was known of that JID."""
        ...

    async def get_contact(self, jid: str) -> Contact | None:
        """Return the contact with ``jid``, or ``None``."""
        ...


class LIDMapStore(Protocol):
    """The LID <-> phone-number mapping (PROTOCOL.md §5.3), as non-device user JID strings."""

    async def put_lid_mapping(self, lid: str, pn: str) -> None:
        """Record that ``lid`` and ``pn`` are the same user (replacing older pairings of either)."""
        ...

    async def lid_for_pn(self, pn: str) -> str | None:
        """Return the LID of phone-number JID ``pn``, or ``None``."""
        ...

    async def pn_for_lid(self, lid: str) -> str | None:
        """Return the phone-number JID of ``lid``, or ``None``."""
        ...


class GroupCache(Protocol):
    """Cached group metadata by group JID string."""

    async def get_group(self, jid: str) -> CachedGroup | None:
        """Return the cached metadata of ``jid``, or ``None``."""
        ...

    async def put_group(self, jid: str, metadata: bytes) -> None:
        """Cache ``metadata`` for ``jid``, stamped with the current time."""
        ...

    async def forget_group(self, jid: str) -> None:
        """Drop the cached metadata of ``jid``."""
        ...


class DeviceListCache(Protocol):
    """Users' device lists, valid for the store's device-list lifetime."""

    async def get_device_list(self, user: str) -> DeviceList | None:
        """Return the device list of ``user``, or ``None`` if unknown or expired."""
        ...

    async def put_device_list(
        self, user: str, device_ids: Iterable[int], device_hash: str | None
    ) -> None:
        """Cache ``user``'s device ids, stamped with the current time."""
        ...

    async def invalidate_device_list(self, user: str) -> None:
        """Drop ``user``'s device list (a ``devices`` notification or a hash mismatch)."""
        ...


class MessageJournal(Protocol):
    """The inbound journal: which messages were committed, so redelivery is harmless."""

    async def has_seen(self, key: MessageKey) -> bool:
        """Return ``True`` if a unit for ``key`` was committed (and not pruned)."""
        ...

    async def prune_journal(self, older_than: float) -> int:
        """Delete entries committed before ``older_than`` (epoch seconds); return how many."""
        ...


class SentMessageCache(Protocol):
    """A bounded cache of recently sent messages, for answering retry receipts."""

    async def remember_sent(self, message: SentMessage) -> None:
        """Keep ``message``, evicting the oldest beyond the store's capacity."""
        ...

    async def get_sent(self, chat: str, message_id: str) -> SentMessage | None:
        """Return the sent message, or ``None`` if unknown or evicted."""
        ...


class KeyValueStore(Protocol):
    """Plain key-value storage for plugins, namespaced (one namespace per plugin)."""

    async def get_value(self, namespace: str, key: str) -> bytes | None:
        """Return the value, or ``None``."""
        ...

    async def put_value(self, namespace: str, key: str, value: bytes) -> None:
        """Store ``value`` under (``namespace``, ``key``)."""
        ...

    async def delete_value(self, namespace: str, key: str) -> None:
        """Delete the value; a missing one is no error."""
        ...

    async def list_keys(self, namespace: str) -> list[str]:
        """Return the keys of ``namespace``, sorted."""
        ...


class InboundCommitter(Protocol):
    """The receive path's unit of work (ARCHITECTURE.md, "acknowledge only after commit")."""

    async def commit_inbound(self, unit: InboundUnit) -> bool:
        """Commit every effect of ``unit`` and its journal entry atomically, in one call.

        Returns ``False``, writing nothing, if the journal already holds ``unit.message``. A
        unit with ``journal=False`` neither reads nor writes the journal (and returns ``True``).
        Raises :class:`~botkit.errors.StoreError` (nothing written) if the backend failed, and
        ``ValueError`` (nothing written) if the unit is malformed (a pre-key id out of range).
        """
        ...


class AccountStore(
    CredentialStore,
    PreKeyStore,
    SessionStore,
    IdentityStore,
    SenderKeyStore,
    AppStateStore,
    ContactStore,
    LIDMapStore,
    GroupCache,
    DeviceListCache,
    MessageJournal,
    SentMessageCache,
    KeyValueStore,
    InboundCommitter,
    Protocol,
):
    """One account's whole store, held under that account's lease."""

    @property
    def account(self) -> str:
        """The account name."""
        ...

    @property
    def holder(self) -> str:
        """Who holds the lease (host, pid and a random tag), as shown to a second opener."""
        ...

    async def renew_lease(self) -> None:
        """Extend the lease by its lifetime. Raises AccountLocked if another holder took it."""
        ...

    async def wipe(self) -> None:
        """Delete everything stored for this account (logout), keeping the lease."""
        ...

    async def close(self) -> None:
        """Release the lease and stop using the store."""
        ...


class Store(Protocol):
    """A database holding several accounts, each in its own namespace."""

    async def open_account(self, account: str, *, holder: str | None = None) -> AccountStore:
        """Take ``account``'s lease and return its store.

        Raises :class:`~botkit.errors.AccountLocked` naming the holder if another live holder has
        it; a lease whose holder stopped renewing it expires and can be taken.
        """
        ...

    async def list_accounts(self) -> list[str]:
        """Return the names of the accounts in this database, sorted."""
        ...

    async def close(self) -> None:
        """Close the open account stores (releasing their leases), then the database."""
        ...
