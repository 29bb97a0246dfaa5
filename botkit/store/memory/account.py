"""One account of a :class:`~botkit.store.memory.MemoryStore`: Signal stores, unit, lease."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from botkit.store.memory.tables import AccountData, MemoryTables
from botkit.store.policy import make_pre_keys, validate_unit
from botkit.store.values import (
    DeviceCredentials,
    IdentityChange,
    InboundUnit,
    MessageKey,
    PreKey,
)
from botkit.types.jid import SignalAddress

if TYPE_CHECKING:
    from botkit.store.memory.store import MemoryStore

__all__ = ["MemoryAccountStore"]


class MemoryAccountStore(MemoryTables):
    """One account of a :class:`MemoryStore` (an :class:`~botkit.store.base.AccountStore`)."""

    def __init__(self, store: MemoryStore, account: str, holder: str, data: AccountData) -> None:
        super().__init__(account, holder, data, store.options)
        self._store = store

    # -- lease and lifecycle

    async def _renew(self) -> None:
        self._writable()
        self._store.take_lease(self._account, self._holder)

    async def wipe(self) -> None:
        """Delete everything stored for this account."""
        tables, fresh = self._writable(), AccountData()
        for name in AccountData.__slots__:
            setattr(tables, name, getattr(fresh, name))

    async def close(self) -> None:
        """Release the lease."""
        if not self._closed:
            self._closed = True
            await self.keeper.stop()
            self._store.release_lease(self._account, self._holder)

    # -- credentials

    async def load_credentials(self) -> DeviceCredentials | None:
        """Return the stored credentials, or ``None``."""
        return self._t.credentials

    async def save_credentials(self, credentials: DeviceCredentials) -> None:
        """Store ``credentials``."""
        self._writable().credentials = credentials

    # -- pre-keys

    async def get_or_generate_pre_keys(self, count: int) -> list[PreKey]:
        """Return ``count`` pre-keys not uploaded yet, generating what is missing."""
        t = self._writable()
        pending = sorted(
            (key for key in t.pre_keys.values() if not key.uploaded), key=lambda k: k.key_id
        )[:count]
        new, t.next_pre_key_id = make_pre_keys(
            t.next_pre_key_id, count - len(pending), self._options.key_factory
        )
        t.pre_keys.update((key.key_id, key) for key in new)
        return pending + new

    async def get_pre_key(self, key_id: int) -> PreKey | None:
        """Return pre-key ``key_id``, or ``None``."""
        return self._t.pre_keys.get(key_id)

    async def mark_pre_keys_uploaded(self, up_to_id: int) -> None:
        """Mark the pre-keys with ids up to ``up_to_id`` uploaded."""
        keys = self._writable().pre_keys
        for key_id, key in keys.items():
            if key_id <= up_to_id and not key.uploaded:
                keys[key_id] = replace(key, uploaded=True)

    async def remove_pre_key(self, key_id: int) -> None:
        """Delete pre-key ``key_id``."""
        self._writable().pre_keys.pop(key_id, None)

    async def uploaded_pre_key_count(self) -> int:
        """Return how many uploaded pre-keys remain."""
        return sum(key.uploaded for key in self._t.pre_keys.values())

    # -- sessions

    async def get_session(self, address: SignalAddress) -> bytes | None:
        """Return the session record of ``address``, or ``None``."""
        return self._t.sessions.get(address)

    async def get_sessions(self, addresses: Iterable[SignalAddress]) -> dict[SignalAddress, bytes]:
        """Return the records of those ``addresses`` that have one."""
        sessions = self._t.sessions
        return {a: sessions[a] for a in addresses if a in sessions}

    async def put_sessions(self, records: Mapping[SignalAddress, bytes]) -> None:
        """Store all ``records``."""
        self._writable().sessions.update(records)

    async def delete_session(self, address: SignalAddress) -> None:
        """Delete the session of ``address``."""
        self._writable().sessions.pop(address, None)

    async def delete_sessions(self, name: str) -> None:
        """Delete the sessions of every device of user ``name``."""
        sessions = self._writable().sessions
        for address in [a for a in sessions if a.name == name]:
            del sessions[address]

    async def move_user(self, old_name: str, new_name: str) -> int:
        """Move ``old_name``'s sessions and identities to ``new_name`` (existing ones win)."""
        t = self._writable()
        moved = 0
        for table in (t.sessions, t.identities):
            for address in [a for a in table if a.name == old_name]:
                value = table.pop(address)
                new = SignalAddress(new_name, address.device_id)
                if new not in table:
                    table[new] = value
                    moved += table is t.sessions
        return moved

    # -- identities

    async def get_identity(self, address: SignalAddress) -> bytes | None:
        """Return the trusted identity key of ``address``, or ``None``."""
        return self._t.identities.get(address)

    async def is_trusted_identity(self, address: SignalAddress, identity_key: bytes) -> bool:
        """Return ``True`` if nothing is stored for ``address`` or ``identity_key`` is it."""
        return self._t.identities.get(address, identity_key) == identity_key

    async def save_identity(self, address: SignalAddress, identity_key: bytes) -> bool:
        """Trust ``identity_key``; return ``True`` if it replaced a different key."""
        return self._trust(self._writable(), address, identity_key)

    def _trust(self, t: AccountData, address: SignalAddress, identity_key: bytes) -> bool:
        old = t.identities.get(address)
        t.identities[address] = identity_key
        if old is None or old == identity_key:
            return False
        now = self._options.clock()
        t.identity_changes.append(IdentityChange(address, old, identity_key, now))
        return True

    async def identity_changes(self, address: SignalAddress) -> list[IdentityChange]:
        """Return the identity history of ``address``, oldest first."""
        return [change for change in self._t.identity_changes if change.address == address]

    async def delete_identities(self, name: str) -> None:
        """Forget the identities of every device of user ``name``."""
        identities = self._writable().identities
        for address in [a for a in identities if a.name == name]:
            del identities[address]

    # -- sender keys

    async def get_sender_key(self, group: str, sender: SignalAddress) -> bytes | None:
        """Return the sender-key record, or ``None``."""
        return self._t.sender_keys.get((group, sender))

    async def put_sender_key(self, group: str, sender: SignalAddress, record: bytes) -> None:
        """Store a sender-key record."""
        self._writable().sender_keys[group, sender] = record

    async def delete_sender_keys(self, group: str) -> None:
        """Delete every sender key of ``group``."""
        keys = self._writable().sender_keys
        for name in [n for n in keys if n[0] == group]:
            del keys[name]

    # -- the unit of work

    async def commit_inbound(self, unit: InboundUnit) -> bool:
        """Commit ``unit``; return ``False`` (writing nothing) if its message was journaled."""
        validate_unit(unit)
        t = self._writable()
        if unit.journal and unit.message in t.journal:
            return False
        t.sessions.update(unit.sessions)
        if unit.consumed_pre_key is not None:
            t.pre_keys.pop(unit.consumed_pre_key, None)
        for update in unit.sender_keys:
            t.sender_keys[update.group, update.sender] = update.record
        for address, key in unit.identities.items():
            self._trust(t, address, key)
        if unit.journal:
            t.journal[unit.message] = self._options.clock()
        return True

    async def has_seen(self, key: MessageKey) -> bool:
        """Return ``True`` if a unit for ``key`` was committed."""
        return key in self._t.journal

    async def prune_journal(self, older_than: float) -> int:
        """Delete journal entries committed before ``older_than``; return how many."""
        journal = self._writable().journal
        old = [key for key, at in journal.items() if at < older_than]
        for key in old:
            del journal[key]
        return len(old)
