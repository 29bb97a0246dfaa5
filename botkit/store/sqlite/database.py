"""The SQLite store: one database file, several accounts, migrations applied on open."""

from __future__ import annotations

import contextlib
import weakref
from pathlib import Path

from botkit.errors import StoreError
from botkit.store.lease import new_holder
from botkit.store.options import StoreOptions
from botkit.store.sqlite.account import SQLiteAccountStore, claim_lease
from botkit.store.sqlite.connection import Connections
from botkit.store.sqlite.migrate import bundled_migrations, migrate

__all__ = ["SQLiteStore"]


class SQLiteStore:
    """A :class:`~botkit.store.base.Store` in one SQLite file (WAL mode, created 0600).

    Open it with :meth:`open`; accounts are namespaced by name inside the file.
    """

    def __init__(self, connections: Connections, path: Path, options: StoreOptions) -> None:
        self._db = connections
        self.path = path
        self.options = options
        self._accounts: weakref.WeakSet[SQLiteAccountStore] = weakref.WeakSet()

    def __repr__(self) -> str:
        return f"<SQLiteStore {str(self.path)!r}>"

    @classmethod
    async def open(
        cls, path: str | Path, options: StoreOptions | None = None, *, durable: bool = False
    ) -> SQLiteStore:
        """Open (creating it 0600 if needed) and migrate the database at ``path``.

        ``durable=True`` fsyncs every commit, so a committed unit also survives a power failure
        (slower); by default it survives a crash of the process.

        Raises:
            StoreError: the file cannot be opened.
            MigrationError: the schema could not be brought up to date.
        """
        path = Path(path)
        try:
            connections = await Connections.open(path, durable=durable)
        except OSError as exc:
            raise StoreError(f"cannot create the database file: {exc.strerror}") from exc
        try:
            await migrate(connections.writer, bundled_migrations())
        except BaseException:
            await connections.close()
            raise
        return cls(connections, path, options or StoreOptions())

    async def open_account(self, account: str, *, holder: str | None = None) -> SQLiteAccountStore:
        """Take ``account``'s lease (creating the account if new) and return its store.

        Raises:
            AccountLocked: another holder's lease on ``account`` has not expired.
            StoreError: the database failed.
        """
        holder = holder or new_holder()
        async with self._db.transaction() as tx:
            rows = await tx.read(
                "INSERT INTO accounts (name, created_at) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET name = name RETURNING id",
                (account, self.options.clock()),
            )
            account_id = int(rows[0][0])
            await claim_lease(tx, account, account_id, holder, self.options)
        store = SQLiteAccountStore(self._db, self.options, account, account_id, holder)
        store.keeper.start()
        self._accounts.add(store)
        return store

    async def list_accounts(self) -> list[str]:
        """Return the names of the accounts in the file, sorted."""
        return [
            str(row[0]) for row in await self._db.read("SELECT name FROM accounts ORDER BY name")
        ]

    async def close(self) -> None:
        """Close the open account stores (releasing their leases), then the connections."""
        for account in list(self._accounts):
            with contextlib.suppress(StoreError):
                await account.close()
        await self._db.close()
