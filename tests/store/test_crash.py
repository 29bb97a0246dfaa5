"""SIGKILL a writer at random points during 1,000 units: committed units whole, the rest absent."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from botkit.store import SQLiteStore, StoreOptions

TOTAL = 1000
KILLS = 8
WRITER = Path(__file__).with_name("crash_writer.py")


def _reported(report: Path) -> set[int]:
    lines = report.read_text(encoding="ascii").split("\n")[:-1]  # drop a half-written last line
    return {int(line) for line in lines if line.isdigit()}


def _check(db: Path, reported: set[int], unreported_before: set[int]) -> set[int]:
    """Assert the database is consistent; return the committed units the writer did not report.

    Only the newest unit may be committed without being reported (killed between the commit and
    the report), besides such units of earlier runs (``unreported_before``).
    """
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)

        def column(sql: str) -> set[str]:
            return {row[0] for row in conn.execute(sql)}

        journal = {int(m[1:]) for m in column("SELECT message_id FROM inbound_journal")}
        sessions = column("SELECT name FROM sessions")
        sender_keys = column("SELECT sender_name FROM sender_keys")
        identities = column("SELECT name FROM identities")
        pre_keys = {int(k) for k in column("SELECT key_id FROM pre_keys")}
        hot = conn.execute("SELECT record FROM sessions WHERE name = 'hot'").fetchone()
    # The writer is sequential, so the committed units are a prefix.
    assert journal == set(range(len(journal)))
    # Every unit the writer was told is committed is.
    assert reported <= journal
    assert journal - reported <= unreported_before | {len(journal) - 1}
    for n in range(TOTAL):
        committed = n in journal
        peer = f"peer{n}"
        effects = (peer in sessions, peer in sender_keys, peer in identities, n + 1 not in pre_keys)
        assert effects == (committed,) * 4, (n, committed, effects)
    assert hot == ((str(len(journal) - 1).encode(),) if journal else None)
    return journal - reported


async def _prepare(db: Path) -> None:
    store = await SQLiteStore.open(db, StoreOptions(renew_interval=None))
    account = await store.open_account("main", holder="crash-writer")
    await account.get_or_generate_pre_keys(TOTAL)
    await account.close()
    await store.close()


def _run_writer(db: Path, report: Path, kill_after: float | None) -> None:
    start = report.stat().st_size if report.exists() else 0
    cmd = [sys.executable, str(WRITER), str(db), str(report), str(TOTAL)]
    process = subprocess.Popen(cmd)
    if kill_after is None:
        assert process.wait(timeout=30) == 0
        return
    deadline = time.monotonic() + 20
    while not (report.exists() and b"ready" in report.read_bytes()[start:]):
        assert process.poll() is None and time.monotonic() < deadline, "writer did not start"
        time.sleep(0.005)
    time.sleep(kill_after)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


async def test_sigkilled_writer_leaves_whole_units_only(tmp_path: Path) -> None:
    db, report = tmp_path / "crash.db", tmp_path / "committed.txt"
    await _prepare(db)
    rng = random.Random(20261127)
    unreported: set[int] = set()
    progress = []
    for _ in range(KILLS):
        _run_writer(db, report, kill_after=rng.uniform(0.0, 0.025))
        unreported = _check(db, _reported(report), unreported)
        progress.append(len(_reported(report) | unreported))
    _run_writer(db, report, kill_after=None)
    _check(db, _reported(report), unreported)
    assert _reported(report) | unreported == set(range(TOTAL))
    # The kills landed at different points of the run, not all before it or after it.
    assert len(set(progress)) > KILLS // 2, progress
