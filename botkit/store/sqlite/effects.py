"""Rows for the ``effects`` view: how a unit of work becomes ONE atomic SQLite statement.

The view's ``INSTEAD OF INSERT`` trigger (migration 0001) applies each row; a multi-row
``INSERT INTO effects VALUES (...), (...)`` is a single statement, so SQLite commits all of its
rows or none of them even in autocommit mode, in one awaited call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from botkit.store.values import InboundUnit, SenderKeyUpdate
from botkit.types.jid import SignalAddress

__all__ = [
    "DUPLICATE_MESSAGE",
    "MAX_ROWS",
    "Row",
    "flatten",
    "identity_rows",
    "insert_sql",
    "sender_key_rows",
    "session_delete_row",
    "session_rows",
    "unit_rows",
]

Row = tuple[int, int, str | None, str | None, str | None, int | None, bytes | None, float | None]

_JOURNAL, _SESSION_PUT, _PRE_KEY_USED, _SENDER_KEY_PUT, _IDENTITY_TRUST, _SESSION_DELETE = range(6)
_COLUMNS = 8
MAX_ROWS = 32766 // _COLUMNS  # SQLite's limit on bound parameters per statement
DUPLICATE_MESSAGE = "botkit: duplicate inbound message"  # the trigger's RAISE text


@lru_cache(maxsize=64)
def insert_sql(rows: int) -> str:
    """Return the ``INSERT INTO effects`` statement for ``rows`` rows.

    Raises:
        ValueError: more rows than one statement can bind.
    """
    if not 0 < rows <= MAX_ROWS:
        raise ValueError(f"one statement takes 1 to {MAX_ROWS} effects, not {rows}")
    return "INSERT INTO effects VALUES " + ",".join(["(?,?,?,?,?,?,?,?)"] * rows)


def flatten(rows: list[Row]) -> list[object]:
    """Return the parameters of ``rows`` for :func:`insert_sql`, in order."""
    return [value for row in rows for value in row]


def session_rows(account_id: int, records: Mapping[SignalAddress, bytes]) -> list[Row]:
    """Return the rows that store ``records``."""
    return [
        (account_id, _SESSION_PUT, a.name, None, None, a.device_id, record, None)
        for a, record in records.items()
    ]


def session_delete_row(account_id: int, name: str, device_id: int | None) -> Row:
    """Return the row that deletes one session, or every device's when ``device_id`` is None."""
    return (account_id, _SESSION_DELETE, name, None, None, device_id, None, None)


def sender_key_rows(account_id: int, updates: Iterable[SenderKeyUpdate]) -> list[Row]:
    """Return the rows that store sender-key ``updates``."""
    return [
        (
            account_id,
            _SENDER_KEY_PUT,
            u.group,
            u.sender.name,
            None,
            u.sender.device_id,
            u.record,
            None,
        )
        for u in updates
    ]


def identity_rows(account_id: int, keys: Mapping[SignalAddress, bytes], now: float) -> list[Row]:
    """Return the rows that trust ``keys`` (recording changed keys in the history at ``now``)."""
    return [
        (account_id, _IDENTITY_TRUST, a.name, None, None, a.device_id, key, now)
        for a, key in keys.items()
    ]


def unit_rows(account_id: int, unit: InboundUnit, now: float) -> list[Row]:
    """Return every row of ``unit``, the journal entry first (a duplicate aborts at once)."""
    key = unit.message
    rows: list[Row] = []
    if unit.journal:
        rows.append((account_id, _JOURNAL, key.chat, key.sender, key.message_id, None, None, now))
    rows += session_rows(account_id, unit.sessions)
    if unit.consumed_pre_key is not None:
        rows.append(
            (account_id, _PRE_KEY_USED, None, None, None, unit.consumed_pre_key, None, None)
        )
    rows += sender_key_rows(account_id, unit.sender_keys)
    rows += identity_rows(account_id, unit.identities, now)
    return rows
