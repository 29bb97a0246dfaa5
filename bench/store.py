"""Benchmark the aiosqlite store: inbound-message units of work per second.

Usage: python bench/store.py [--units N] [--peers P] [--seed S] [--durable]

Each unit is what the receive path does for one message: load the sender's session (the hot
cache after the first message of a peer), then commit the new session record, the journal entry
and, for a realistic share of messages, a consumed pre-key with a trusted identity (a first
``pkmsg``) and a sender-key record (a group message), awaiting ``commit_inbound`` once per unit.
Prints units/s and the time per unit against the 5,000 units/s target. ``--durable`` fsyncs every
commit (``synchronous=FULL``) to show the price of surviving a power failure.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

from botkit.store import (
    InboundUnit,
    MessageKey,
    SenderKeyUpdate,
    SQLiteStore,
    StoreOptions,
)
from botkit.types.jid import SignalAddress

TARGET = 5_000


def make_units(count: int, peers: int, first_pre_key: int, seed: int) -> list[InboundUnit]:
    """Return ``count`` units from ``peers`` senders, deterministic for ``seed``."""
    rng = random.Random(seed)
    units: list[InboundUnit] = []
    pre_key = first_pre_key
    seen: set[int] = set()
    for n in range(count):
        peer = rng.randrange(peers)
        address = SignalAddress(str(10**14 + peer) + "_1", rng.choice((0, 1, 2)))
        group = rng.random() < 0.3
        first = peer not in seen
        seen.add(peer)
        units.append(
            InboundUnit(
                message=MessageKey(
                    f"1203630000{rng.randrange(20)}@g.us" if group else f"{address.name}@lid",
                    f"{address.name}:{address.device_id}@lid",
                    f"3EB0{n:018X}",
                ),
                sessions={address: rng.randbytes(1500)},
                consumed_pre_key=pre_key if first else None,
                sender_keys=(
                    (SenderKeyUpdate(f"1203630000{n % 20}@g.us", address, rng.randbytes(600)),)
                    if group
                    else ()
                ),
                identities={address: rng.randbytes(32)} if first else {},
            )
        )
        pre_key += first
    return units


async def run(units: int, peers: int, seed: int, durable: bool) -> float:
    """Run the benchmark in a fresh database; return units per second."""
    with tempfile.TemporaryDirectory() as tmp:
        store = await SQLiteStore.open(
            Path(tmp) / "bench.db", StoreOptions(renew_interval=None), durable=durable
        )
        account = await store.open_account("bench")
        keys = await account.get_or_generate_pre_keys(peers)
        work = make_units(units, peers, keys[0].key_id, seed)
        started = time.perf_counter()
        for unit in work:
            [address] = unit.sessions
            await account.get_session(address)
            await account.commit_inbound(unit)
        elapsed = time.perf_counter() - started
        await account.close()
        await store.close()
    return units / elapsed


def main() -> None:
    """Parse the arguments, run, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--peers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--durable", action="store_true")
    args = parser.parse_args()
    rate = asyncio.run(run(args.units, args.peers, args.seed, args.durable))
    mode = "durable (fsync per commit)" if args.durable else "WAL, synchronous=NORMAL"
    print(f"store: {args.units} inbound units, {mode}")
    print(f"  {rate:,.0f} units/s  ({1e6 / rate:.0f} µs per unit)  target {TARGET:,} units/s")
    print(f"  ratio to target: {rate / TARGET:.2f}x")


if __name__ == "__main__":
    main()
