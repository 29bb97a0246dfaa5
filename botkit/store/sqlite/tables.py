"""The plainer concerns of a SQLite account: app state, contacts, LIDs, caches, plugin values.

:class:`AccountTables` also holds what every method of an account needs (its connections, id,
options and the guarded write; the lease keeper and the write guard come from
:class:`~botkit.store.lease.LeasedAccount`); ``SQLiteAccountStore`` (in ``account.py``) adds the
Signal stores, the unit of work and the lifecycle on top.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from botkit.store.cache import HotCache
from botkit.store.lease import LeasedAccount
from botkit.store.options import StoreOptions
from botkit.store.policy import device_list_is_fresh
from botkit.store.sqlite.connection import Connections, Params, store_error
from botkit.store.values import (
    AppStateSyncKey,
    AppStateUpdate,
    AppStateVersion,
    CachedGroup,
    Contact,
    DeviceList,
    SentMessage,
)

__all__ = ["CHUNK", "AccountTables"]

CHUNK = 400  # values per IN (...) list, well under SQLite's limit on bound parameters


class AccountTables(LeasedAccount):
    """App state, contacts, LID mapping, group and device-list caches, sent messages, values."""

    def __init__(
        self,
        db: Connections,
        options: StoreOptions,
        account: str,
        account_id: int,
        holder: str,
    ) -> None:
        super().__init__(account, holder, options.renew_interval)
        self._db = db
        self._options = options
        self._id = account_id
        self._groups: HotCache[str, CachedGroup] = HotCache(options.hot_cache_size)
        self._devices: HotCache[str, DeviceList] = HotCache(options.hot_cache_size)

    async def _write(self, sql: str, params: Params) -> int:
        self._check_writable()
        try:
            return await self._db.write(sql, params)
        except sqlite3.IntegrityError as exc:
            raise store_error(exc) from exc

    async def _read(self, sql: str, *params: object) -> list[Any]:
        return await self._db.read(sql, (self._id, *params))

    # -- app state

    async def put_app_state_key(self, key: AppStateSyncKey) -> None:
        """Store an app-state sync key."""
        await self._write(
            "INSERT OR REPLACE INTO app_state_keys VALUES (?, ?, ?, ?, ?)",
            (self._id, key.key_id, key.key_data, key.fingerprint, key.timestamp),
        )

    async def get_app_state_key(self, key_id: bytes) -> AppStateSyncKey | None:
        """Return the key with ``key_id``, or ``None``."""
        rows = await self._read(
            "SELECT key_id, key_data, fingerprint, timestamp FROM app_state_keys"
            " WHERE account_id = ? AND key_id = ?",
            key_id,
        )
        return AppStateSyncKey(*rows[0]) if rows else None

    async def latest_app_state_key(self) -> AppStateSyncKey | None:
        """Return the newest key, or ``None``."""
        rows = await self._read(
            "SELECT key_id, key_data, fingerprint, timestamp FROM app_state_keys"
            " WHERE account_id = ? ORDER BY timestamp DESC LIMIT 1"
        )
        return AppStateSyncKey(*rows[0]) if rows else None

    async def get_app_state_version(self, collection: str) -> AppStateVersion:
        """Return the state of ``collection``."""
        rows = await self._read(
            "SELECT version, hash FROM app_state_versions WHERE account_id = ? AND collection = ?",
            collection,
        )
        return AppStateVersion(collection, *rows[0]) if rows else AppStateVersion(collection)

    async def get_value_macs(
        self, collection: str, index_macs: Iterable[bytes]
    ) -> dict[bytes, bytes]:
        """Return the stored value MACs of ``index_macs``."""
        wanted = list(index_macs)
        found: dict[bytes, bytes] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            rows = await self._read(
                "SELECT index_mac, value_mac FROM app_state_macs WHERE account_id = ?"
                f" AND collection = ? AND index_mac IN ({','.join('?' * len(chunk))})",
                collection,
                *chunk,
            )
            found.update((bytes(i), bytes(v)) for i, v in rows)
        return found

    async def apply_app_state(self, update: AppStateUpdate) -> None:
        """Store a collection's new version, hash and value MACs atomically."""
        self._check_writable()
        key = (self._id, update.collection)
        async with self._db.transaction() as tx:
            await tx.write(
                "INSERT OR REPLACE INTO app_state_versions VALUES (?, ?, ?, ?)",
                (*key, update.version, update.hash),
            )
            await tx.write_many(
                "DELETE FROM app_state_macs"
                " WHERE account_id = ? AND collection = ? AND index_mac = ?",
                [(*key, index_mac) for index_mac in update.removed],
            )
            await tx.write_many(
                "INSERT OR REPLACE INTO app_state_macs VALUES (?, ?, ?, ?)",
                [(*key, i, v) for i, v in update.set_macs.items()],
            )

    async def reset_app_state(self, collection: str) -> None:
        """Forget the state of ``collection``."""
        self._check_writable()
        async with self._db.transaction() as tx:
            for table in ("app_state_versions", "app_state_macs"):
                await tx.write(
                    f"DELETE FROM {table} WHERE account_id = ? AND collection = ?",
                    (self._id, collection),
                )

    # -- contacts and LIDs

    async def put_contact(self, contact: Contact) -> None:
        """Store ``contact``."""
        await self._write(
            "INSERT OR REPLACE INTO contacts VALUES (?, ?, ?, ?, ?, ?)",
            (
                self._id,
                contact.jid,
                contact.first_name,
                contact.full_name,
                contact.push_name,
                contact.business_name,
            ),
        )

    async def get_contact(self, jid: str) -> Contact | None:
        """Return the contact with ``jid``, or ``None``."""
        rows = await self._read(
            "SELECT jid, first_name, full_name, push_name, business_name FROM contacts"
            " WHERE account_id = ? AND jid = ?",
            jid,
        )
        return Contact(*rows[0]) if rows else None

    async def put_lid_mapping(self, lid: str, pn: str) -> None:
        """Record that ``lid`` and ``pn`` are the same user (REPLACE drops older pairings)."""
        await self._write(
            "INSERT OR REPLACE INTO lid_mappings VALUES (?, ?, ?)", (self._id, lid, pn)
        )

    async def lid_for_pn(self, pn: str) -> str | None:
        """Return the LID of ``pn``, or ``None``."""
        rows = await self._read("SELECT lid FROM lid_mappings WHERE account_id = ? AND pn = ?", pn)
        return str(rows[0][0]) if rows else None

    async def pn_for_lid(self, lid: str) -> str | None:
        """Return the phone-number JID of ``lid``, or ``None``."""
        rows = await self._read("SELECT pn FROM lid_mappings WHERE account_id = ? AND lid = ?", lid)
        return str(rows[0][0]) if rows else None

    # -- group and device-list caches (hot: kept in memory, written through)

    async def get_group(self, jid: str) -> CachedGroup | None:
        """Return the cached metadata of ``jid``, or ``None``."""
        hit, group = self._groups.lookup(jid)
        if not hit:
            epoch = self._groups.epoch
            rows = await self._read(
                "SELECT metadata, fetched_at FROM group_cache WHERE account_id = ? AND jid = ?",
                jid,
            )
            group = CachedGroup(jid, *rows[0]) if rows else None
            self._groups.fill(jid, group, epoch)
        return group

    async def put_group(self, jid: str, metadata: bytes) -> None:
        """Cache ``metadata`` for ``jid``."""
        group = CachedGroup(jid, metadata, self._options.clock())
        await self._write(
            "INSERT OR REPLACE INTO group_cache VALUES (?, ?, ?, ?)",
            (self._id, jid, metadata, group.fetched_at),
        )
        self._groups.store(jid, group)

    async def forget_group(self, jid: str) -> None:
        """Drop the cached metadata of ``jid``."""
        await self._write(
            "DELETE FROM group_cache WHERE account_id = ? AND jid = ?", (self._id, jid)
        )
        self._groups.store(jid, None)

    async def get_device_list(self, user: str) -> DeviceList | None:
        """Return ``user``'s device list, or ``None`` if unknown or expired."""
        hit, devices = self._devices.lookup(user)
        if not hit:
            epoch = self._devices.epoch
            rows = await self._read(
                "SELECT device_ids, device_hash, fetched_at FROM device_lists"
                " WHERE account_id = ? AND user = ?",
                user,
            )
            if rows:
                ids, device_hash, fetched_at = rows[0]
                parsed = tuple(int(i) for i in str(ids).split(",") if i)
                devices = DeviceList(user, parsed, device_hash, fetched_at)
            self._devices.fill(user, devices, epoch)
        now, ttl = self._options.clock(), self._options.device_list_ttl
        return devices if devices and device_list_is_fresh(devices, now, ttl) else None

    async def put_device_list(
        self, user: str, device_ids: Iterable[int], device_hash: str | None
    ) -> None:
        """Cache ``user``'s device ids."""
        devices = DeviceList(user, tuple(device_ids), device_hash, self._options.clock())
        await self._write(
            "INSERT OR REPLACE INTO device_lists VALUES (?, ?, ?, ?, ?)",
            (
                self._id,
                user,
                ",".join(map(str, devices.device_ids)),
                device_hash,
                devices.fetched_at,
            ),
        )
        self._devices.store(user, devices)

    async def invalidate_device_list(self, user: str) -> None:
        """Drop ``user``'s device list."""
        await self._write(
            "DELETE FROM device_lists WHERE account_id = ? AND user = ?", (self._id, user)
        )
        self._devices.store(user, None)

    # -- sent messages

    async def remember_sent(self, message: SentMessage) -> None:
        """Keep ``message``, evicting the oldest beyond capacity."""
        self._check_writable()
        async with self._db.transaction() as tx:
            await tx.write(
                "INSERT OR REPLACE INTO sent_messages"
                " (account_id, chat, message_id, payload, sent_at) VALUES (?, ?, ?, ?, ?)",
                (self._id, message.chat, message.message_id, message.payload, message.sent_at),
            )
            await tx.write(
                "DELETE FROM sent_messages WHERE account_id = ?1 AND seq <= ("
                " SELECT seq FROM sent_messages WHERE account_id = ?1"
                " ORDER BY seq DESC LIMIT 1 OFFSET ?2)",
                (self._id, self._options.sent_cache_size),
            )

    async def get_sent(self, chat: str, message_id: str) -> SentMessage | None:
        """Return the sent message, or ``None``."""
        rows = await self._read(
            "SELECT chat, message_id, payload, sent_at FROM sent_messages"
            " WHERE account_id = ? AND chat = ? AND message_id = ?",
            chat,
            message_id,
        )
        return SentMessage(*rows[0]) if rows else None

    # -- plugin values

    async def get_value(self, namespace: str, key: str) -> bytes | None:
        """Return the value, or ``None``."""
        rows = await self._read(
            "SELECT value FROM plugin_values WHERE account_id = ? AND namespace = ? AND key = ?",
            namespace,
            key,
        )
        return bytes(rows[0][0]) if rows else None

    async def put_value(self, namespace: str, key: str, value: bytes) -> None:
        """Store ``value``."""
        await self._write(
            "INSERT OR REPLACE INTO plugin_values VALUES (?, ?, ?, ?)",
            (self._id, namespace, key, value),
        )

    async def delete_value(self, namespace: str, key: str) -> None:
        """Delete the value."""
        await self._write(
            "DELETE FROM plugin_values WHERE account_id = ? AND namespace = ? AND key = ?",
            (self._id, namespace, key),
        )

    async def list_keys(self, namespace: str) -> list[str]:
        """Return the keys of ``namespace``, sorted."""
        rows = await self._read(
            "SELECT key FROM plugin_values WHERE account_id = ? AND namespace = ? ORDER BY key",
            namespace,
        )
        return [str(row[0]) for row in rows]
