"""Credentials and pre-keys of a SQLite account (private keys only; publics are derived)."""

from __future__ import annotations

from typing import Any

from botkit.core.signal.keys import KeyPair
from botkit.store.policy import make_pre_keys
from botkit.store.sqlite.tables import AccountTables
from botkit.store.values import DeviceCredentials, PreKey, SignedPreKey

__all__ = ["KeyTables"]

_CREDENTIAL_COLUMNS = (
    "noise_private, identity_private, signed_pre_key_id, signed_pre_key_private,"
    " signed_pre_key_signature, registration_id, adv_secret, jid, lid, signed_device_identity,"
    " platform, push_name"
)


class KeyTables(AccountTables):
    """The device's credentials (cached once loaded) and its one-time pre-keys."""

    _credentials: DeviceCredentials | None = None

    # -- credentials

    async def load_credentials(self) -> DeviceCredentials | None:
        """Return the stored credentials, or ``None``."""
        if self._credentials is None:
            rows = await self._read(
                f"SELECT {_CREDENTIAL_COLUMNS} FROM credentials WHERE account_id = ?"
            )
            if rows:
                self._credentials = _credentials_from_row(rows[0])
        return self._credentials

    async def save_credentials(self, credentials: DeviceCredentials) -> None:
        """Store ``credentials``."""
        c = credentials
        await self._write(
            f"INSERT OR REPLACE INTO credentials (account_id, {_CREDENTIAL_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self._id,
                c.noise_key.private,
                c.identity_key.private,
                c.signed_pre_key.key_id,
                c.signed_pre_key.key_pair.private,
                c.signed_pre_key.signature,
                c.registration_id,
                c.adv_secret,
                c.jid,
                c.lid,
                c.signed_device_identity,
                c.platform,
                c.push_name,
            ),
        )
        self._credentials = credentials

    # -- pre-keys

    async def get_or_generate_pre_keys(self, count: int) -> list[PreKey]:
        """Return ``count`` pre-keys not uploaded yet, generating what is missing."""
        self._check_writable()
        async with self._db.transaction() as tx:
            rows = await tx.read(
                "SELECT key_id, private_key FROM pre_keys WHERE account_id = ? AND NOT uploaded"
                " ORDER BY key_id LIMIT ?",
                (self._id, count),
            )
            pending = [PreKey(key_id, KeyPair.from_private(private)) for key_id, private in rows]
            (next_id,) = (
                await tx.read("SELECT next_pre_key_id FROM accounts WHERE id = ?", (self._id,))
            )[0]
            new, next_id = make_pre_keys(next_id, count - len(pending), self._options.key_factory)
            await tx.write_many(
                "INSERT OR REPLACE INTO pre_keys (account_id, key_id, private_key)"
                " VALUES (?, ?, ?)",
                [(self._id, key.key_id, key.key_pair.private) for key in new],
            )
            await tx.write(
                "UPDATE accounts SET next_pre_key_id = ? WHERE id = ?", (next_id, self._id)
            )
        return pending + new

    async def get_pre_key(self, key_id: int) -> PreKey | None:
        """Return pre-key ``key_id``, or ``None``."""
        rows = await self._read(
            "SELECT private_key, uploaded FROM pre_keys WHERE account_id = ? AND key_id = ?",
            key_id,
        )
        return PreKey(key_id, KeyPair.from_private(rows[0][0]), bool(rows[0][1])) if rows else None

    async def mark_pre_keys_uploaded(self, up_to_id: int) -> None:
        """Mark the pre-keys with ids up to ``up_to_id`` uploaded."""
        await self._write(
            "UPDATE pre_keys SET uploaded = 1 WHERE account_id = ? AND key_id <= ?",
            (self._id, up_to_id),
        )

    async def remove_pre_key(self, key_id: int) -> None:
        """Delete pre-key ``key_id``."""
        await self._write(
            "DELETE FROM pre_keys WHERE account_id = ? AND key_id = ?", (self._id, key_id)
        )

    async def uploaded_pre_key_count(self) -> int:
        """Return how many uploaded pre-keys remain."""
        rows = await self._read("SELECT count(*) FROM pre_keys WHERE account_id = ? AND uploaded")
        return int(rows[0][0])


def _credentials_from_row(row: Any) -> DeviceCredentials:
    (noise, identity, spk_id, spk, spk_sig, reg_id, adv, jid, lid, sdi, platform, push) = row
    return DeviceCredentials(
        noise_key=KeyPair.from_private(noise),
        identity_key=KeyPair.from_private(identity),
        signed_pre_key=SignedPreKey(spk_id, KeyPair.from_private(spk), spk_sig),
        registration_id=reg_id,
        adv_secret=adv,
        jid=jid,
        lid=lid,
        signed_device_identity=sdi,
        platform=platform,
        push_name=push,
    )
