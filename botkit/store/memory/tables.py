"""The plainer concerns of an in-memory account: app state, contacts, LIDs, caches, values.

:class:`MemoryTables` also holds what every method needs (the account's data and options; the
lease keeper and the write guard come from :class:`~botkit.store.lease.LeasedAccount`);
``MemoryAccountStore`` (in ``account.py``) adds the Signal stores,
the unit of work and the lifecycle on top, as its SQLite counterpart does.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from botkit.store.lease import LeasedAccount
from botkit.store.options import StoreOptions
from botkit.store.policy import device_list_is_fresh
from botkit.store.values import (
    AppStateSyncKey,
    AppStateUpdate,
    AppStateVersion,
    CachedGroup,
    Contact,
    DeviceCredentials,
    DeviceList,
    IdentityChange,
    MessageKey,
    PreKey,
    SentMessage,
)
from botkit.types.jid import SignalAddress

__all__ = ["AccountData", "MemoryTables"]


@dataclass(slots=True)
class AccountData:
    """One account's data, table by table."""

    credentials: DeviceCredentials | None = None
    next_pre_key_id: int = 1
    pre_keys: dict[int, PreKey] = field(default_factory=dict)
    sessions: dict[SignalAddress, bytes] = field(default_factory=dict)
    identities: dict[SignalAddress, bytes] = field(default_factory=dict)
    identity_changes: list[IdentityChange] = field(default_factory=list)
    sender_keys: dict[tuple[str, SignalAddress], bytes] = field(default_factory=dict)
    journal: dict[MessageKey, float] = field(default_factory=dict)
    app_keys: dict[bytes, AppStateSyncKey] = field(default_factory=dict)
    app_versions: dict[str, AppStateVersion] = field(default_factory=dict)
    app_macs: dict[str, dict[bytes, bytes]] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    lid_to_pn: dict[str, str] = field(default_factory=dict)
    groups: dict[str, CachedGroup] = field(default_factory=dict)
    device_lists: dict[str, DeviceList] = field(default_factory=dict)
    sent: OrderedDict[tuple[str, str], SentMessage] = field(default_factory=OrderedDict)
    values: dict[tuple[str, str], bytes] = field(default_factory=dict)


class MemoryTables(LeasedAccount):
    """App state, contacts, LID mapping, group and device-list caches, sent messages, values."""

    def __init__(
        self,
        account: str,
        holder: str,
        data: AccountData,
        options: StoreOptions,
    ) -> None:
        super().__init__(account, holder, options.renew_interval)
        self._t = data
        self._options = options

    def _writable(self) -> AccountData:
        self._check_writable()
        return self._t

    # -- app state

    async def put_app_state_key(self, key: AppStateSyncKey) -> None:
        """Store an app-state sync key."""
        self._writable().app_keys[key.key_id] = key

    async def get_app_state_key(self, key_id: bytes) -> AppStateSyncKey | None:
        """Return the key with ``key_id``, or ``None``."""
        return self._t.app_keys.get(key_id)

    async def latest_app_state_key(self) -> AppStateSyncKey | None:
        """Return the newest key, or ``None``."""
        return max(self._t.app_keys.values(), key=lambda k: k.timestamp, default=None)

    async def get_app_state_version(self, collection: str) -> AppStateVersion:
        """Return the state of ``collection``."""
        return self._t.app_versions.get(collection, AppStateVersion(collection))

    async def get_value_macs(
        self, collection: str, index_macs: Iterable[bytes]
    ) -> dict[bytes, bytes]:
        """Return the stored value MACs of ``index_macs``."""
        macs = self._t.app_macs.get(collection, {})
        return {i: macs[i] for i in index_macs if i in macs}

    async def apply_app_state(self, update: AppStateUpdate) -> None:
        """Store a collection's new version, hash and value MACs."""
        t = self._writable()
        version = AppStateVersion(update.collection, update.version, update.hash)
        t.app_versions[update.collection] = version
        macs = t.app_macs.setdefault(update.collection, {})
        for index_mac in update.removed:
            macs.pop(index_mac, None)
        macs.update(update.set_macs)

    async def reset_app_state(self, collection: str) -> None:
        """Forget the state of ``collection``."""
        t = self._writable()
        t.app_versions.pop(collection, None)
        t.app_macs.pop(collection, None)

    # -- contacts and LIDs

    async def put_contact(self, contact: Contact) -> None:
        """Store ``contact``."""
        self._writable().contacts[contact.jid] = contact

    async def get_contact(self, jid: str) -> Contact | None:
        """Return the contact with ``jid``, or ``None``."""
        return self._t.contacts.get(jid)

    async def put_lid_mapping(self, lid: str, pn: str) -> None:
        """Record that ``lid`` and ``pn`` are the same user."""
        mapping = self._writable().lid_to_pn
        for old_lid in [k for k, v in mapping.items() if v == pn]:
            del mapping[old_lid]
        mapping[lid] = pn

    async def lid_for_pn(self, pn: str) -> str | None:
        """Return the LID of ``pn``, or ``None``."""
        return next((lid for lid, p in self._t.lid_to_pn.items() if p == pn), None)

    async def pn_for_lid(self, lid: str) -> str | None:
        """Return the phone-number JID of ``lid``, or ``None``."""
        return self._t.lid_to_pn.get(lid)

    # -- caches

    async def get_group(self, jid: str) -> CachedGroup | None:
        """Return the cached metadata of ``jid``, or ``None``."""
        return self._t.groups.get(jid)

    async def put_group(self, jid: str, metadata: bytes) -> None:
        """Cache ``metadata`` for ``jid``."""
        self._writable().groups[jid] = CachedGroup(jid, metadata, self._options.clock())

    async def forget_group(self, jid: str) -> None:
        """Drop the cached metadata of ``jid``."""
        self._writable().groups.pop(jid, None)

    async def get_device_list(self, user: str) -> DeviceList | None:
        """Return ``user``'s device list, or ``None`` if unknown or expired."""
        devices = self._t.device_lists.get(user)
        now, ttl = self._options.clock(), self._options.device_list_ttl
        return devices if devices and device_list_is_fresh(devices, now, ttl) else None

    async def put_device_list(
        self, user: str, device_ids: Iterable[int], device_hash: str | None
    ) -> None:
        """Cache ``user``'s device ids."""
        devices = DeviceList(user, tuple(device_ids), device_hash, self._options.clock())
        self._writable().device_lists[user] = devices

    async def invalidate_device_list(self, user: str) -> None:
        """Drop ``user``'s device list."""
        self._writable().device_lists.pop(user, None)

    async def remember_sent(self, message: SentMessage) -> None:
        """Keep ``message``, evicting the oldest beyond capacity."""
        sent = self._writable().sent
        key = (message.chat, message.message_id)
        sent.pop(key, None)
        sent[key] = message
        while len(sent) > self._options.sent_cache_size:
            sent.popitem(last=False)

    async def get_sent(self, chat: str, message_id: str) -> SentMessage | None:
        """Return the sent message, or ``None``."""
        return self._t.sent.get((chat, message_id))

    # -- plugin values

    async def get_value(self, namespace: str, key: str) -> bytes | None:
        """Return the value, or ``None``."""
        return self._t.values.get((namespace, key))

    async def put_value(self, namespace: str, key: str, value: bytes) -> None:
        """Store ``value``."""
        self._writable().values[namespace, key] = value

    async def delete_value(self, namespace: str, key: str) -> None:
        """Delete the value."""
        self._writable().values.pop((namespace, key), None)

    async def list_keys(self, namespace: str) -> list[str]:
        """Return the keys of ``namespace``, sorted."""
        return sorted(k for ns, k in self._t.values if ns == namespace)
