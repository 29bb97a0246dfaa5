"""Benchmark the bot runtime: `!ping` -> `pong` through it against the raw botkit client echo.

Usage: python bench/runtime.py [--messages N] [--rounds R] [--profile DIR]

The bot (the whole runtime: plugin dispatch, command parsing, context, builder, outbound
limiter with its limits raised out of the way) and the raw client echo of bench/echo.py are
paired to one in-process sandbox and get the same bursts of `!ping` from its simulated phone
(bench/echo_bench.py). Prints messages/s and p50/p99 latency of each, measured in the same run,
and the runtime's overhead (target: at most 20%). ``--profile DIR`` runs both peers under
cProfile (DIR/runtime.prof, DIR/client.prof).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from echo_bench import PHONE, botkit_peer, compare, measure

from botkit.server import Sandbox


def texts(count: int) -> list[str]:
    return ["!ping"] * count


async def run(count: int, rounds: int, profile: Path | None) -> None:
    async with Sandbox() as sandbox:
        sandbox.create_user(PHONE, "Phone")
        async with (
            botkit_peer(sandbox, "runtime !ping", "15550003333", "runtime", profile) as bot,
            botkit_peer(sandbox, "raw client echo", "15550001111", "client", profile) as raw,
        ):
            ours, theirs = await measure(sandbox, [bot, raw], texts, count, rounds)
    compare(ours, theirs, target="throughput >= 0.80x, p99 <= 1.20x")
    wall = (theirs.rate / ours.rate - 1) * 100
    cpu = (ours.cpu_per_message / theirs.cpu_per_message - 1) * 100
    print(f"runtime overhead: {wall:+.1f}% time per message, {cpu:+.1f}% CPU per message")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=300, help="messages per burst")
    parser.add_argument("--rounds", type=int, default=3, help="bursts per peer")
    parser.add_argument("--profile", type=Path, help="run the peers under cProfile into DIR")
    options = parser.parse_args()
    asyncio.run(run(options.messages, options.rounds, options.profile))


if __name__ == "__main__":
    main()
