"""One account of a SQLite store: the Signal stores, the unit of work and the lease.

Credentials and pre-keys come from :mod:`~botkit.store.sqlite.keys`, the plainer concerns from
:mod:`~botkit.store.sqlite.tables`. Hot records (sessions, identities, sender keys) are cached
in memory and written through: the lease makes this process the account's only writer, so a
cache cannot go stale behind its back. Sessions, sender keys and identity trust are written
through the ``effects`` view (:mod:`botkit.store.sqlite.effects`), the same path as the unit of
work.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

from botkit.store.cache import HotCache
from botkit.store.lease import Lease, claim
from botkit.store.options import StoreOptions
from botkit.store.policy import validate_unit
from botkit.store.sqlite import effects
from botkit.store.sqlite.connection import Connections, Transaction, store_error
from botkit.store.sqlite.keys import KeyTables
from botkit.store.sqlite.tables import CHUNK
from botkit.store.values import (
    IdentityChange,
    InboundUnit,
    MessageKey,
    SenderKeyUpdate,
)
from botkit.types.jid import SignalAddress

__all__ = ["SQLiteAccountStore", "claim_lease"]

# Every table holding account data, for wipe(); accounts and account_leases stay.
_ACCOUNT_TABLES = (
    "credentials",
    "pre_keys",
    "sessions",
    "identities",
    "identity_changes",
    "sender_keys",
    "inbound_journal",
    "contacts",
    "lid_mappings",
    "group_cache",
    "device_lists",
    "sent_messages",
    "plugin_values",
    "app_state_keys",
    "app_state_versions",
    "app_state_macs",
)

SenderKeyName = tuple[str, SignalAddress]


async def claim_lease(
    tx: Transaction, account: str, account_id: int, holder: str, options: StoreOptions
) -> None:
    """Take or renew ``account``'s lease for ``holder`` inside ``tx``.

    Raises:
        AccountLocked: another holder's lease has not expired.
    """
    rows = await tx.read(
        "SELECT holder, expires_at FROM account_leases WHERE account_id = ?", (account_id,)
    )
    current = Lease(rows[0][0], rows[0][1]) if rows else None
    lease = claim(account, current, holder, options.clock(), options.lease_ttl)
    await tx.write(
        "INSERT INTO account_leases (account_id, holder, expires_at) VALUES (?, ?, ?)"
        " ON CONFLICT DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at",
        (account_id, lease.holder, lease.expires_at),
    )


class SQLiteAccountStore(KeyTables):
    """One account of a :class:`~botkit.store.sqlite.SQLiteStore` (an ``AccountStore``)."""

    def __init__(
        self, db: Connections, options: StoreOptions, account: str, account_id: int, holder: str
    ) -> None:
        super().__init__(db, options, account, account_id, holder)
        self._sessions: HotCache[SignalAddress, bytes] = HotCache(options.hot_cache_size)
        self._identities: HotCache[SignalAddress, bytes] = HotCache(options.hot_cache_size)
        self._sender_keys: HotCache[SenderKeyName, bytes] = HotCache(options.hot_cache_size)

    # -- lease and lifecycle

    async def _renew(self) -> None:
        self._check_writable()
        async with self._db.transaction() as tx:
            await claim_lease(tx, self._account, self._id, self._holder, self._options)

    async def wipe(self) -> None:
        """Delete everything stored for this account, keeping the lease."""
        self._check_writable()
        async with self._db.transaction() as tx:
            for table in _ACCOUNT_TABLES:
                await tx.write(f"DELETE FROM {table} WHERE account_id = ?", (self._id,))
            await tx.write("UPDATE accounts SET next_pre_key_id = 1 WHERE id = ?", (self._id,))
        self._credentials = None
        for cache in (self._sessions, self._identities, self._sender_keys):
            cache.clear()
        self._groups.clear()
        self._devices.clear()

    async def close(self) -> None:
        """Release the lease."""
        if self._closed:
            return
        self._closed = True
        await self.keeper.stop()
        await self._db.write(
            "DELETE FROM account_leases WHERE account_id = ? AND holder = ?",
            (self._id, self._holder),
        )

    # -- effects: the one write path for sessions, sender keys, identities and units

    async def _apply(self, rows: list[effects.Row]) -> bool:
        """Write ``rows`` atomically; return ``False`` if a journal entry was a duplicate.

        Up to :data:`effects.MAX_ROWS` rows (every unit) are one statement, one awaited call;
        a larger batch of sessions (a fan-out to a big group) takes one transaction.
        """
        self._check_writable()
        if len(rows) > effects.MAX_ROWS:
            async with self._db.transaction() as tx:
                for start in range(0, len(rows), effects.MAX_ROWS):
                    chunk = rows[start : start + effects.MAX_ROWS]
                    await tx.write(effects.insert_sql(len(chunk)), effects.flatten(chunk))
            return True
        try:
            await self._db.write(effects.insert_sql(len(rows)), effects.flatten(rows))
        except sqlite3.IntegrityError as exc:
            if effects.DUPLICATE_MESSAGE in str(exc):
                return False
            raise store_error(exc) from exc
        return True

    async def commit_inbound(self, unit: InboundUnit) -> bool:
        """Commit ``unit`` in one statement; return ``False`` (nothing written) for a duplicate."""
        validate_unit(unit)
        rows = effects.unit_rows(self._id, unit, self._options.clock())
        if rows and not await self._apply(rows):
            return False
        self._cache_sessions(unit.sessions)
        self._cache_sender_keys(unit.sender_keys)
        for address, key in unit.identities.items():
            self._identities.store(address, key)
        return True

    def _cache_sessions(self, records: Mapping[SignalAddress, bytes]) -> None:
        for address, record in records.items():
            self._sessions.store(address, record)

    def _cache_sender_keys(self, updates: Iterable[SenderKeyUpdate]) -> None:
        for update in updates:
            self._sender_keys.store((update.group, update.sender), update.record)

    async def has_seen(self, key: MessageKey) -> bool:
        """Return ``True`` if a unit for ``key`` was committed."""
        rows = await self._read(
            "SELECT 1 FROM inbound_journal"
            " WHERE account_id = ? AND chat = ? AND sender = ? AND message_id = ?",
            key.chat,
            key.sender,
            key.message_id,
        )
        return bool(rows)

    async def prune_journal(self, older_than: float) -> int:
        """Delete journal entries committed before ``older_than``; return how many."""
        return await self._write(
            "DELETE FROM inbound_journal WHERE account_id = ? AND committed_at < ?",
            (self._id, older_than),
        )

    # -- sessions

    async def get_session(self, address: SignalAddress) -> bytes | None:
        """Return the session record of ``address``, or ``None``."""
        return (await self.get_sessions([address])).get(address)

    async def get_sessions(self, addresses: Iterable[SignalAddress]) -> dict[SignalAddress, bytes]:
        """Return the records of those ``addresses`` that have one (one query for the misses)."""
        found: dict[SignalAddress, bytes] = {}
        missing: list[SignalAddress] = []
        for address in addresses:
            hit, record = self._sessions.lookup(address)
            if not hit:
                missing.append(address)
            elif record is not None:
                found[address] = record
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start : start + CHUNK]
            epoch = self._sessions.epoch
            rows = await self._read(
                "SELECT name, device_id, record FROM sessions WHERE account_id = ?"
                f" AND (name, device_id) IN (VALUES {','.join(['(?, ?)'] * len(chunk))})",
                *[part for address in chunk for part in address],
            )
            loaded = {SignalAddress(name, device): bytes(rec) for name, device, rec in rows}
            for address in chunk:
                self._sessions.fill(address, loaded.get(address), epoch)
            found.update(loaded)
        return found

    async def put_sessions(self, records: Mapping[SignalAddress, bytes]) -> None:
        """Store all ``records`` in one statement."""
        if records:
            await self._apply(effects.session_rows(self._id, records))
            self._cache_sessions(records)

    async def delete_session(self, address: SignalAddress) -> None:
        """Delete the session of ``address``."""
        await self._apply([effects.session_delete_row(self._id, *address)])
        self._sessions.store(address, None)

    async def delete_sessions(self, name: str) -> None:
        """Delete the sessions of every device of user ``name``."""
        await self._apply([effects.session_delete_row(self._id, name, None)])
        self._sessions.clear()

    async def move_user(self, old_name: str, new_name: str) -> int:
        """Move ``old_name``'s sessions and identities to ``new_name`` in one transaction."""
        self._check_writable()
        moved = 0
        async with self._db.transaction() as tx:
            for table, column in (("sessions", "record"), ("identities", "identity_key")):
                count = await tx.write(
                    f"INSERT OR IGNORE INTO {table} (account_id, name, device_id, {column})"
                    f" SELECT account_id, ?, device_id, {column} FROM {table}"
                    " WHERE account_id = ? AND name = ?",
                    (new_name, self._id, old_name),
                )
                moved = count if table == "sessions" else moved
                await tx.write(
                    f"DELETE FROM {table} WHERE account_id = ? AND name = ?", (self._id, old_name)
                )
        self._sessions.clear()
        self._identities.clear()
        return moved

    # -- identities

    async def get_identity(self, address: SignalAddress) -> bytes | None:
        """Return the trusted identity key of ``address``, or ``None``."""
        hit, key = self._identities.lookup(address)
        if not hit:
            epoch = self._identities.epoch
            rows = await self._read(
                "SELECT identity_key FROM identities"
                " WHERE account_id = ? AND name = ? AND device_id = ?",
                *address,
            )
            key = bytes(rows[0][0]) if rows else None
            self._identities.fill(address, key, epoch)
        return key

    async def is_trusted_identity(self, address: SignalAddress, identity_key: bytes) -> bool:
        """Return ``True`` if nothing is stored for ``address`` or ``identity_key`` is it."""
        stored = await self.get_identity(address)
        return stored is None or stored == identity_key

    async def save_identity(self, address: SignalAddress, identity_key: bytes) -> bool:
        """Trust ``identity_key``; return ``True`` if it replaced a different key."""
        old = await self.get_identity(address)
        now = self._options.clock()
        await self._apply(effects.identity_rows(self._id, {address: identity_key}, now))
        self._identities.store(address, identity_key)
        return old is not None and old != identity_key

    async def identity_changes(self, address: SignalAddress) -> list[IdentityChange]:
        """Return the identity history of ``address``, oldest first."""
        rows = await self._read(
            "SELECT old_key, new_key, changed_at FROM identity_changes"
            " WHERE account_id = ? AND name = ? AND device_id = ? ORDER BY seq",
            *address,
        )
        return [IdentityChange(address, bytes(old), bytes(new), at) for old, new, at in rows]

    async def delete_identities(self, name: str) -> None:
        """Forget the identities of every device of user ``name``."""
        await self._write(
            "DELETE FROM identities WHERE account_id = ? AND name = ?", (self._id, name)
        )
        self._identities.clear()

    # -- sender keys

    async def get_sender_key(self, group: str, sender: SignalAddress) -> bytes | None:
        """Return the sender-key record, or ``None``."""
        hit, record = self._sender_keys.lookup((group, sender))
        if not hit:
            epoch = self._sender_keys.epoch
            rows = await self._read(
                "SELECT record FROM sender_keys WHERE account_id = ? AND group_id = ?"
                " AND sender_name = ? AND sender_device = ?",
                group,
                *sender,
            )
            record = bytes(rows[0][0]) if rows else None
            self._sender_keys.fill((group, sender), record, epoch)
        return record

    async def put_sender_key(self, group: str, sender: SignalAddress, record: bytes) -> None:
        """Store a sender-key record."""
        update = SenderKeyUpdate(group, sender, record)
        await self._apply(effects.sender_key_rows(self._id, [update]))
        self._cache_sender_keys([update])

    async def delete_sender_keys(self, group: str) -> None:
        """Delete every sender key of ``group``."""
        await self._write(
            "DELETE FROM sender_keys WHERE account_id = ? AND group_id = ?", (self._id, group)
        )
        self._sender_keys.clear()
