"""The in-memory store: for tests and throwaway bots. Nothing survives the process.

Leases work within the process (two runtimes opening one account of one :class:`MemoryStore`
conflict as they would on SQLite), so the conformance suite covers them for both backends.
"""

from __future__ import annotations

import weakref

from botkit.errors import StoreError
from botkit.store.lease import Lease, claim, new_holder
from botkit.store.memory.account import MemoryAccountStore
from botkit.store.memory.tables import AccountData
from botkit.store.options import StoreOptions

__all__ = ["MemoryStore"]


class MemoryStore:
    """A :class:`~botkit.store.base.Store` that keeps every account in memory."""

    def __init__(self, options: StoreOptions | None = None) -> None:
        self.options = options or StoreOptions()
        self._tables: dict[str, AccountData] = {}
        self._leases: dict[str, Lease] = {}
        self._accounts: weakref.WeakSet[MemoryAccountStore] = weakref.WeakSet()
        self._closed = False

    async def open_account(self, account: str, *, holder: str | None = None) -> MemoryAccountStore:
        """Take ``account``'s lease and return its store.

        Raises:
            AccountLocked: another holder's lease on ``account`` has not expired.
            StoreError: the store is closed.
        """
        if self._closed:
            raise StoreError("the store is closed")
        holder = holder or new_holder()
        self.take_lease(account, holder)
        tables = self._tables.setdefault(account, AccountData())
        store = MemoryAccountStore(self, account, holder, tables)
        store.keeper.start()
        self._accounts.add(store)
        return store

    async def list_accounts(self) -> list[str]:
        """Return the names of the accounts, sorted."""
        return sorted(self._tables)

    async def close(self) -> None:
        """Close the open account stores (releasing their leases) and the store."""
        for account in list(self._accounts):
            await account.close()
        self._closed = True

    def take_lease(self, account: str, holder: str) -> None:
        """Give ``holder`` the lease of ``account`` (or renew it).

        Raises:
            AccountLocked: another holder's lease has not expired.
        """
        now = self.options.clock()
        self._leases[account] = claim(
            account, self._leases.get(account), holder, now, self.options.lease_ttl
        )

    def release_lease(self, account: str, holder: str) -> None:
        """End ``holder``'s lease of ``account``, if it still has it."""
        lease = self._leases.get(account)
        if lease is not None and lease.holder == holder:
            del self._leases[account]
