"""Benchmark a botkit echo client against a Baileys echo client on the same sandbox.

Usage: python bench/echo.py [--messages N] [--rounds R]

Both clients are paired to one in-process sandbox as different accounts and answer every text
with the same text, one at a time and in order; the sandbox's simulated phone sends each the
same bursts (bench/echo_bench.py). Prints messages/s and p50/p99 latency of each, measured in
the same run, and the ratios botkit/Baileys (target: throughput >= 1.5x, p99 no worse).
"""

from __future__ import annotations

import argparse
import asyncio

from echo_bench import PHONE, baileys_peer, botkit_peer, compare, measure

from botkit.server import Sandbox


def texts(count: int) -> list[str]:
    return [f"echo {n}" for n in range(count)]


async def run(count: int, rounds: int) -> None:
    async with Sandbox() as sandbox:
        sandbox.create_user(PHONE, "Phone")
        async with (
            botkit_peer(sandbox, "botkit client", "15550001111", "client") as ours,
            baileys_peer(sandbox, "Baileys client", "15550002222") as theirs,
        ):
            results = await measure(sandbox, [ours, theirs], texts, count, rounds)
    compare(*results, target="throughput >= 1.50x, p99 <= 1.00x")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=300, help="messages per burst")
    parser.add_argument("--rounds", type=int, default=3, help="bursts per client")
    options = parser.parse_args()
    asyncio.run(run(options.messages, options.rounds))


if __name__ == "__main__":
    main()
