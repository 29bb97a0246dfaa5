"""The harness of bench/echo.py and bench/runtime.py: peers paired to one sandbox, bursts, stats.

The sandbox runs in this process; its simulated phone (:data:`PHONE`) sends each burst and
receives the answers, so every message goes phone -> peer -> phone through the whole protocol
(Signal encryption both ways, routing, server acks and receipts). Each peer runs in its own
process and answers one message at a time, in order:

* :func:`botkit_peer`: ``bench/echo_peer.py`` (a bare botkit client echo, or the bot runtime);
* :func:`baileys_peer`: ``tests/interop/baileys_chat.mjs`` in echo mode (Baileys from npm).

A peer's latency for one message is from the moment the phone starts sending it to the moment
the answer is in the phone's inbox; its throughput is the burst size over the time from the first
send to the last answer. Rounds alternate the order of the peers; the figures pool all rounds.
As the sandbox (one process for every peer) may be what limits the rate, each peer's own CPU
time per message (user + system, from /proc on Linux) is printed too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botkit.server import Sandbox
from botkit.types.jid import JID

__all__ = ["PHONE", "Peer", "Result", "baileys_peer", "botkit_peer", "compare", "measure"]

ROOT = Path(__file__).resolve().parent.parent
INTEROP = ROOT / "tests" / "interop"
PHONE = "15550009999"
"""The simulated phone that sends every burst."""
TIMEOUT = 120.0


@dataclass
class Result:
    """What one peer did over all rounds: how many answers, in how long, and each latency."""

    name: str
    count: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0

    @property
    def cpu_per_message(self) -> float:
        return self.cpu_seconds / self.count

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def line(self) -> str:
        return (
            f"{self.name:<22} {self.rate:8.1f} msg/s   p50 {self.percentile(50) * 1000:7.1f} ms"
            f"   p99 {self.percentile(99) * 1000:7.1f} ms"
            f"   cpu {self.cpu_per_message * 1e6:6.0f} us/msg   ({self.count} messages)"
        )


@dataclass
class Peer:
    """A paired peer process: ``name``, its account ``phone``, and what it answers."""

    name: str
    phone: str
    proc: asyncio.subprocess.Process
    answer: Callable[[str], str]
    """The text the peer answers to a text."""
    errors: list[str] = field(default_factory=list)

    @property
    def jid(self) -> JID:
        return JID(self.phone, "s.whatsapp.net")

    async def next_event(self, name: str) -> dict[str, Any]:
        assert self.proc.stdout is not None
        while True:
            line = await asyncio.wait_for(self.proc.stdout.readline(), TIMEOUT)
            if not line:
                raise RuntimeError(f"{self.name} exited before {name}")
            event: dict[str, Any] = json.loads(line)
            if event["event"] == name:
                return event

    def cpu(self) -> float:
        """Return the CPU seconds (user + system) the peer process used so far (0 off Linux)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def drain(self) -> None:
        """Read the peer's output for good (so its pipe never fills), keeping send errors."""
        assert self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            event = json.loads(line)
            if event["event"] == "send_error":
                self.errors.append(event["error"])


@contextlib.asynccontextmanager
async def _peer(
    sandbox: Sandbox,
    name: str,
    phone: str,
    argv: Sequence[str],
    answer: Callable[[str], str],
    cwd: Path,
    start: bytes | None = None,
    stderr: int | None = None,
) -> AsyncIterator[Peer]:
    sandbox.create_user(phone, name)
    proc = await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=stderr,
    )
    peer = Peer(name, phone, proc, answer)
    drain: asyncio.Task[None] | None = None
    try:
        qr = (await peer.next_event("qr"))["qr"]
        await sandbox.linker.pair_qr(phone, qr)
        await peer.next_event("open")
        if start is not None:
            assert proc.stdin is not None
            proc.stdin.write(start)
            await peer.next_event("echoing")
        drain = asyncio.create_task(peer.drain())
        yield peer
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        if drain is not None:
            await drain


def botkit_peer(
    sandbox: Sandbox, name: str, phone: str, mode: str, profile: Path | None = None
) -> contextlib.AbstractAsyncContextManager[Peer]:
    """Start ``bench/echo_peer.py MODE`` (``client``: echo; ``runtime``: !ping -> pong).

    With ``profile``, the peer runs under cProfile and writes ``profile/<mode>.prof``.
    """
    python = [sys.executable]
    if profile is not None:
        profile.mkdir(parents=True, exist_ok=True)
        python += ["-m", "cProfile", "-o", str(profile / f"{mode}.prof")]
    argv = [*python, str(ROOT / "bench" / "echo_peer.py"), mode]
    argv += [sandbox.ws_url, sandbox.root_public_key]
    answer = (lambda text: text) if mode == "client" else (lambda text: "pong")
    return _peer(sandbox, name, phone, argv, answer, ROOT)


def baileys_peer(
    sandbox: Sandbox, name: str, phone: str
) -> contextlib.AbstractAsyncContextManager[Peer]:
    """Start Baileys (tests/interop/baileys_chat.mjs) in echo mode."""
    argv = ["node", str(INTEROP / "baileys_chat.mjs"), sandbox.ws_url, sandbox.root_public_key]
    start = json.dumps({"op": "echo"}).encode() + b"\n"
    quiet = asyncio.subprocess.DEVNULL  # libsignal logs every session it closes
    return _peer(sandbox, name, phone, argv, lambda text: text, INTEROP, start, quiet)


async def burst(sandbox: Sandbox, peer: Peer, texts: Sequence[str], result: Result) -> None:
    """Send ``texts`` from the phone to ``peer`` back to back; add the answers to ``result``."""
    before = len(sandbox.inbox(PHONE))
    sent: list[float] = []
    arrived: list[float] = []

    async def send() -> None:
        for text in texts:
            sent.append(time.perf_counter())
            await sandbox.send_text(PHONE, peer.jid, text)

    async def receive() -> None:
        for n in range(1, len(texts) + 1):
            await sandbox.wait_inbox(PHONE, before + n)
            arrived.append(time.perf_counter())

    cpu = peer.cpu()
    async with asyncio.timeout(TIMEOUT):
        await asyncio.gather(send(), receive())
    result.cpu_seconds += peer.cpu() - cpu
    answers = [str(entry["text"]) for entry in sandbox.inbox(PHONE)[before:]]
    if answers != [peer.answer(text) for text in texts] or peer.errors:
        raise RuntimeError(f"{peer.name} answered wrongly: {answers[:5]}... {peer.errors[:1]}")
    result.count += len(texts)
    result.seconds += arrived[-1] - sent[0]
    result.latencies += [a - s for a, s in zip(arrived, sent, strict=True)]


async def measure(
    sandbox: Sandbox,
    peers: Sequence[Peer],
    texts: Callable[[int], list[str]],
    count: int,
    rounds: int,
) -> list[Result]:
    """Warm each peer up, then send ``rounds`` bursts of ``texts(count)`` to each peer,
    alternating their order; return one Result per peer."""
    results = [Result(peer.name) for peer in peers]
    for peer in peers:
        await burst(sandbox, peer, texts(10), Result(peer.name))
    for n in range(rounds):
        order = list(zip(peers, results, strict=True))
        for peer, result in order if n % 2 == 0 else order[::-1]:
            await burst(sandbox, peer, texts(count), result)
    return results


def compare(ours: Result, theirs: Result, *, target: str) -> None:
    """Print both results and the ratios of ``ours`` to ``theirs``."""
    print(ours.line())
    print(theirs.line())
    print(
        f"ratio {ours.name} / {theirs.name}: throughput {ours.rate / theirs.rate:.2f}x, "
        f"p50 {ours.percentile(50) / theirs.percentile(50):.2f}x, "
        f"p99 {ours.percentile(99) / theirs.percentile(99):.2f}x, "
        f"cpu per message {ours.cpu_per_message / theirs.cpu_per_message:.2f}x"
        f"   (target: {target})"
    )
