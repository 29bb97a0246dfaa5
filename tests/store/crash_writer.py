"""The writer process of the crash test (run as a script; the test SIGKILLs it).

Usage: crash_writer.py DB REPORT TOTAL. Commits units from the first one not yet journaled up to
TOTAL - 1 and appends each unit's number to REPORT only after its commit returned, so every
number in REPORT is a unit the store acknowledged. Writes "ready" once the store is open.
"""

from __future__ import annotations

import asyncio
import sys

from botkit.store import InboundUnit, MessageKey, SenderKeyUpdate, SQLiteStore, StoreOptions
from botkit.types.jid import SignalAddress

HOLDER = "crash-writer"  # the same name each run, so a restarted writer may take its own lease
GROUP = "120363000000000000@g.us"
HOT = SignalAddress("hot", 0)


def crash_unit(n: int) -> InboundUnit:
    """Return unit ``n``: rows of its own plus an update of one shared hot session."""
    peer = SignalAddress(f"peer{n}", 1)
    return InboundUnit(
        message=MessageKey("chat@s.whatsapp.net", "peer@s.whatsapp.net", f"m{n}"),
        sessions={peer: b"S" * 2000, HOT: str(n).encode()},
        consumed_pre_key=n + 1,
        sender_keys=(SenderKeyUpdate(GROUP, peer, b"K" * 500),),
        identities={peer: n.to_bytes(4, "big") * 8},
    )


async def main(db: str, report: str, total: int) -> None:
    store = await SQLiteStore.open(db, StoreOptions(renew_interval=None))
    account = await store.open_account("main", holder=HOLDER)
    with open(report, "a", buffering=1, encoding="ascii") as out:
        out.write("ready\n")
        # Earlier runs committed a prefix of the units: find where it ends.
        low, high = 0, total
        while low < high:
            middle = (low + high) // 2
            if await account.has_seen(crash_unit(middle).message):
                low = middle + 1
            else:
                high = middle
        for n in range(low, total):
            await account.commit_inbound(crash_unit(n))
            out.write(f"{n}\n")
    await account.close()
    await store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
