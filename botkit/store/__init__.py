"""Persistence for botkit: narrow store protocols, an in-memory and an aiosqlite implementation.

Client code depends on the protocols of :mod:`botkit.store.base` (one per concern); a bot opens
a :class:`SQLiteStore` (or a :class:`MemoryStore` in tests), then one :class:`AccountStore` per
account, which holds that account's lease until it is closed.
"""

from __future__ import annotations

from botkit.store.base import (
    AccountStore,
    AppStateStore,
    ContactStore,
    CredentialStore,
    DeviceListCache,
    GroupCache,
    IdentityStore,
    InboundCommitter,
    KeyValueStore,
    LIDMapStore,
    MessageJournal,
    PreKeyStore,
    SenderKeyStore,
    SentMessageCache,
    SessionStore,
    Store,
)
from botkit.store.memory import MemoryStore
from botkit.store.options import StoreOptions
from botkit.store.sqlite import SQLiteStore
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
    SenderKeyUpdate,
    SentMessage,
    SignedPreKey,
)

__all__ = [
    "AccountStore",
    "AppStateStore",
    "AppStateSyncKey",
    "AppStateUpdate",
    "AppStateVersion",
    "CachedGroup",
    "Contact",
    "ContactStore",
    "CredentialStore",
    "DeviceCredentials",
    "DeviceList",
    "DeviceListCache",
    "GroupCache",
    "IdentityChange",
    "IdentityStore",
    "InboundCommitter",
    "InboundUnit",
    "KeyValueStore",
    "LIDMapStore",
    "MemoryStore",
    "MessageJournal",
    "MessageKey",
    "PreKey",
    "PreKeyStore",
    "SQLiteStore",
    "SenderKeyStore",
    "SenderKeyUpdate",
    "SentMessage",
    "SentMessageCache",
    "SessionStore",
    "SignedPreKey",
    "Store",
    "StoreOptions",
]
